package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The soak's short form: pipes writing both ways through every kind of fault, at least 500 of
 * them, every byte checked, windows never exceeded, every pipe closed cleanly.
 */
class SoakTest {
  @Test
  void shouldPassHundredsOfFaultsOfEveryKindWithEveryByteAccountedFor() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute("soak", "--duration", "6s", "--pipes", "8", "--slow-readers", "2",
        "--fault-interval", "8ms", "--seed", "7");
    String report = out.toString() + err;
    assertEquals(0, exit, report);
    assertTrue(report.contains("verdict: PASS"), report);
    assertTrue(report.contains("lost             0"), report);
    assertTrue(report.contains("duplicated       0"), report);
    Matcher faults = Pattern.compile("faults injected  (\\d+): (\\d+) resets, (\\d+) closes, "
        + "(\\d+) blackholes, (\\d+) stalls, (\\d+) delays, (\\d+) bandwidth limits, (\\d+) cuts")
        .matcher(report);
    assertTrue(faults.find(), report);
    assertTrue(Long.parseLong(faults.group(1)) >= 500, report);
    for (int kind = 2; kind <= 8; kind++) {
      if (kind != 4) { // blackholes are rare by design (1% of faults); the others all happen
        assertTrue(Long.parseLong(faults.group(kind)) > 0, "fault kind " + kind + ": " + report);
      }
    }
  }
}
