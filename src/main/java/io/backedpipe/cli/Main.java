package io.backedpipe.cli;

import com.typesafe.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The runnable tool: {@code serve} and {@code connect} make a TCP tunnel that survives network
 * drops, {@code demo} shows one at work, {@code proxy}, {@code soak} and {@code hostile} break
 * things on purpose. Exit codes: 0 success, 1 failure (could not start, a verdict FAIL), 2 bad
 * arguments or settings.
 */
@Command(name = "backed-pipe", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    subcommands = {ServeCommand.class, ConnectCommand.class, ProxyCommand.class, DemoCommand.class,
        SoakCommand.class, HostileCommand.class,
        CommandLine.HelpCommand.class},
    description = {"A TCP tunnel that survives network drops: bytes sent while the link is down "
        + "are replayed once it is back, so the applications at both ends see one unbroken "
        + "connection.", "",
        "  backed-pipe serve   --listen 0.0.0.0:7000 --target 127.0.0.1:22 --secret-file F",
        "  backed-pipe connect --server host:7000 --listen 127.0.0.1:2222 --secret-file F",
        "  backed-pipe demo"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:success", "1:failure (could not start; demo, soak or hostile verdict FAIL)",
        "2:bad arguments or settings"})
public final class Main implements Runnable {
  /** Bad arguments or settings. */
  static final int USAGE = 2;

  @Spec
  CommandSpec spec;

  /**
   * Runs a command and exits with its code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with the tool's error handling: a bad setting is a usage error (2), any other
   * failure an error (1), each reported in one line without a stack trace; a bad argument is one
   * line and a pointer to the help (2), not the whole usage.
   *
   * @return the command line, ready to execute
   */
  public static CommandLine commandLine() {
    CommandLine line = new CommandLine(new Main());
    line.setExecutionExceptionHandler((error, cmd, parsed) -> {
      cmd.getErr().println("error: " + message(error));
      cmd.getErr().flush();
      return error instanceof IllegalArgumentException || error instanceof ConfigException
          ? USAGE : 1;
    });
    line.setParameterExceptionHandler(Main::badArguments);
    return line;
  }

  /**
   * A bad argument: its one-line message, picocli's suggestion for a mistyped option or command
   * (if it has one), and where to read more; never the whole usage.
   */
  private static int badArguments(CommandLine.ParameterException error, String[] args) {
    CommandLine cmd = error.getCommandLine();
    java.io.PrintWriter err = cmd.getErr();
    err.println(error.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(error, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
    err.flush();
    return USAGE;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command: one of "
        + String.join(", ", spec.subcommands().keySet()));
  }

  /** The innermost useful message of an error. */
  static String message(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t
        && (t.getMessage() == null || t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    String text = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root != t && root.getMessage() != null ? text + " (" + root.getMessage() + ")" : text;
  }

  /** Reads the version Maven wrote into {@code backed-pipe-version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties properties = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("/backed-pipe-version.properties")) {
        if (in != null) {
          properties.load(in);
        }
      }
      return new String[] {"backed-pipe " + properties.getProperty("version", "unknown"),
          "Java " + System.getProperty("java.version") + ", Apache Pekko "
              + org.apache.pekko.Version.current()};
    }
  }
}
