package io.backedpipe;

/** Precondition checks with {@code key=value} messages, shared by the value types of the API. */
final class Require {
  private Require() {}

  /**
   * Fails with {@link IllegalArgumentException} unless {@code condition} holds.
   *
   * @param condition the condition to hold
   * @param name the argument's name
   * @param value the argument's value
   * @param rule what the argument must satisfy
   */
  static void argument(boolean condition, String name, Object value, String rule) {
    if (!condition) {
      Object shown = value instanceof java.time.Duration d
          ? io.backedpipe.wire.HumanText.duration(d) : value;
      throw new IllegalArgumentException(name + "=" + shown + " " + rule);
    }
  }
}
