package io.backedpipe.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The harness's printed output: every line goes to standard output at once (so a long run shows
 * progress) and is kept, to be written to {@code report.md} at the end.
 */
final class Report {
  private final StringBuilder text = new StringBuilder();

  /** Prints and keeps one line (or several, separated by newlines). */
  void line(String line) {
    System.out.println(line);
    System.out.flush();
    text.append(line).append('\n');
  }

  /** Prints a progress note that is not kept in the report. */
  void progress(String note) {
    System.err.println("  .. " + note);
  }

  /** Writes what was kept to {@code file}. */
  void writeTo(Path file) throws IOException {
    Files.writeString(file, text);
  }
}
