package io.backedpipe.bench;

import java.util.List;
import java.util.Locale;

/**
 * Formats {@link ResultRow}s as a Markdown table for the console and the document, and as CSV for
 * other tools. Pure formatting; no I/O.
 */
public final class ResultTable {
  private static final String[] HEADER = {
    "path", "write", "pekko settings", "GB/s median", "min", "max", "runs", "ratio", "note"
  };

  private ResultTable() {}

  /**
   * The rows as a GitHub-flavoured Markdown table.
   *
   * @param rows the rows, in order
   * @return the table, one line per row after the header and separator, ending with a newline
   */
  public static String markdown(List<ResultRow> rows) {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", HEADER)).append(" |\n");
    out.append("|---|---|---|--:|--:|--:|--:|--:|---|\n");
    for (ResultRow row : rows) {
      out.append("| ").append(String.join(" | ", cells(row))).append(" |\n");
    }
    return out.toString();
  }

  /**
   * The rows as CSV (RFC 4180: fields with a comma, quote or line break are quoted), with numbers
   * unformatted so that tools read them exactly.
   *
   * @param rows the rows, in order
   * @return the CSV text with a header line
   */
  public static String csv(List<ResultRow> rows) {
    StringBuilder out = new StringBuilder(
        "path,write_bytes,settings,gbps_median,gbps_min,gbps_max,runs,ratio,note\n");
    for (ResultRow row : rows) {
      out.append(csvField(row.path())).append(',')
          .append(row.writeBytes()).append(',')
          .append(csvField(row.settings())).append(',')
          .append(number(row.gbPerSecond().median())).append(',')
          .append(number(row.gbPerSecond().min())).append(',')
          .append(number(row.gbPerSecond().max())).append(',')
          .append(row.gbPerSecond().count()).append(',')
          .append(row.ratio().isPresent() ? number(row.ratio().getAsDouble()) : "").append(',')
          .append(csvField(row.note())).append('\n');
    }
    return out.toString();
  }

  private static String[] cells(ResultRow row) {
    return new String[] {
      row.path(),
      size(row.writeBytes()),
      row.settings(),
      String.format(Locale.ROOT, "%.2f", row.gbPerSecond().median()),
      String.format(Locale.ROOT, "%.2f", row.gbPerSecond().min()),
      String.format(Locale.ROOT, "%.2f", row.gbPerSecond().max()),
      Integer.toString(row.gbPerSecond().count()),
      row.ratio().isPresent() ? String.format(Locale.ROOT, "%.2f", row.ratio().getAsDouble()) : "",
      row.note().replace("|", "\\|")
    };
  }

  /**
   * A byte count in binary units: {@code 64 KiB}, {@code 1 GiB}, or plain bytes.
   *
   * @param bytes the count
   * @return the text
   */
  public static String size(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    int[] shifts = {30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes >= unit && bytes % unit == 0) {
        return (bytes / unit) + " " + units[i];
      }
    }
    return bytes + " B";
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%.4f", value);
  }

  private static String csvField(String value) {
    if (value.contains(",") || value.contains("\"") || value.contains("\n")) {
      return '"' + value.replace("\"", "\"\"") + '"';
    }
    return value;
  }
}
