package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.Fault;
import io.backedpipe.chaos.LinkConditions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What each soak profile promises, checked against its own numbers; no soak is run. */
class SoakProfileTest {
  private static Duration time(String value) {
    return ConfigFactory.parseString("t = " + value).getDuration("t");
  }

  @Test
  void shouldCatchEveryMobileLossWithTheMobileHeartbeats() {
    ChaosSchedule schedule = SoakProfile.MOBILE.schedule(Duration.ofSeconds(45), 7);
    LinkConditions conditions = schedule.conditions();
    assertEquals(LinkConditions.mobile(), conditions);
    assertEquals(List.of(Fault.RESET), schedule.faults());
    Duration timeout = time(SoakProfile.MOBILE.heartbeatTimeout());
    assertTrue(timeout.compareTo(conditions.outage().min()) < 0, "a loss outlives the timeout");
    assertTrue(time(SoakProfile.MOBILE.heartbeatInterval()).multipliedBy(3).compareTo(timeout)
        <= 0, "several pings fit in the timeout");
  }

  @Test
  void shouldWriteModestlyForTheSlowestMobileRate() {
    long slowest = LinkConditions.mobile().minBytesPerSecond();
    assertTrue(SoakProfile.MOBILE.writeBytesPerSecond() * 4 <= slowest);
    assertTrue(SoakProfile.MOBILE.slowReaderBytesPerSecond()
        > SoakProfile.MOBILE.writeBytesPerSecond(), "a slow reader must still catch up");
  }

  @Test
  void shouldKeepTheLanSoakAsItWas() {
    assertEquals(ChaosSchedule.everyKind(Duration.ofMillis(20), 42),
        SoakProfile.LAN.schedule(Duration.ofMillis(20), 42));
    assertEquals(LinkConditions.NONE, SoakProfile.LAN.schedule(Duration.ofMillis(20), 42)
        .conditions());
    assertEquals(0, SoakProfile.LAN.writeBytesPerSecond());
  }

  @Test
  void shouldRefuseAnUnknownProfile() {
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setOut(new PrintWriter(new StringWriter(), true));
    line.setErr(new PrintWriter(err, true));
    assertEquals(2, line.execute("soak", "--profile", "satellite"));
    assertTrue(err.toString().contains("profile=satellite must be lan or mobile"), err.toString());
  }
}
