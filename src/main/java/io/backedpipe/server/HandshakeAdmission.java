package io.backedpipe.server;

import io.backedpipe.wire.HumanText;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Admits accepted connections to their handshake, at most {@link
 * ServerSettings#maxHandshakes()} at once and {@link ServerSettings#maxHandshakesPerAddress()} at
 * once from one source address. A connection beyond either cap is closed at once, before it gets
 * a CHALLENGE, so unauthenticated connections hold at most that many handshakes' state however
 * many are opened. A slot is freed when its handshake is over (WELCOME sent, failed or timed out).
 * Refusals are logged at most once per {@link #LOG_EVERY}, with their count, so that whoever opens
 * connections cannot write the log at will.
 *
 * <p>The counts live in this actor: admissions and releases arrive as messages in one mailbox, so
 * they need no lock.
 */
public final class HandshakeAdmission extends AbstractBehavior<HandshakeAdmission.Command> {
  /** The least time between two log lines about refused connections. */
  static final Duration LOG_EVERY = Duration.ofSeconds(10);
  private static final Object LOG_TIMER = "log-refusals";

  /** The admission's protocol. */
  public sealed interface Command {}

  /**
   * A connection was accepted: start its handshake or close it.
   *
   * @param connection the accepted connection, not yet handled
   */
  public record Admit(Tcp.IncomingConnection connection) implements Command {}

  /** Stop; handshakes in progress go on. */
  public enum Stop implements Command {
    /** The only instance. */
    INSTANCE
  }

  /** The handshake of a connection from {@code address} is over. */
  private record Ended(InetAddress address) implements Command {}

  /** Time to report the refusals since the last report. */
  private enum LogRefusals implements Command {
    INSTANCE
  }

  private final TimerScheduler<Command> timers;
  private final ServerSettings settings;
  private final Function<Tcp.IncomingConnection, CompletionStage<Done>> handshake;
  private final Materializer materializer;
  private final Map<InetAddress, Integer> perAddress = new HashMap<>();
  private int inProgress;
  /** Refused since the last log line. */
  private long refused;

  private HandshakeAdmission(ActorContext<Command> context, TimerScheduler<Command> timers,
      ServerSettings settings, Function<Tcp.IncomingConnection, CompletionStage<Done>> handshake) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.handshake = handshake;
    this.materializer = Materializer.createMaterializer(context);
  }

  /**
   * Creates the admission.
   *
   * @param settings the caps
   * @param handshake starts the handshake on a connection; completes (never fails) when it is over
   * @return the behaviour
   */
  public static Behavior<Command> create(ServerSettings settings,
      Function<Tcp.IncomingConnection, CompletionStage<Done>> handshake) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new HandshakeAdmission(context, timers, settings, handshake)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Admit.class, this::onAdmit)
        .onMessage(Ended.class, this::onEnded)
        .onMessageEquals(LogRefusals.INSTANCE, this::onLogRefusals)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onAdmit(Admit admit) {
    InetAddress address = SourceAddress.key(admit.connection().remoteAddress().getAddress());
    int fromAddress = perAddress.getOrDefault(address, 0);
    if (inProgress >= settings.maxHandshakes()) {
      return refuse(admit, "maxHandshakes=" + settings.maxHandshakes());
    }
    if (fromAddress >= settings.maxHandshakesPerAddress()) {
      return refuse(admit, "maxHandshakesPerAddress=" + settings.maxHandshakesPerAddress());
    }
    inProgress++;
    perAddress.put(address, fromAddress + 1);
    CompletionStage<Done> ended;
    try {
      ended = handshake.apply(admit.connection());
    } catch (RuntimeException e) {
      getContext().getLog().warn("could not start a handshake from [{}]", HumanText.ip(address),
          e);
      return onEnded(new Ended(address));
    }
    getContext().pipeToSelf(ended, (done, error) -> new Ended(address));
    return this;
  }

  private Behavior<Command> onEnded(Ended ended) {
    inProgress--;
    perAddress.computeIfPresent(ended.address(), (address, n) -> n == 1 ? null : n - 1);
    return this;
  }

  /** Closes the connection at once: nothing is read from it and nothing written. */
  private Behavior<Command> refuse(Admit admit, String cap) {
    admit.connection().handleWith(
        Flow.fromSinkAndSource(Sink.<ByteString>cancelled(), Source.<ByteString>empty()),
        materializer);
    refused++;
    if (!timers.isTimerActive(LOG_TIMER)) {
      // The first refusal after a quiet spell is told at once; later ones are summed up.
      getContext().getLog().info("closed a connection from [{}] before its handshake: [{}] reached"
          + " (further refusals are reported every {})",
          HumanText.ip(admit.connection().remoteAddress().getAddress()), cap,
          HumanText.duration(LOG_EVERY));
      refused = 0;
      timers.startSingleTimer(LOG_TIMER, LogRefusals.INSTANCE, LOG_EVERY);
    }
    return this;
  }

  private Behavior<Command> onLogRefusals() {
    if (refused > 0) {
      getContext().getLog().info("closed [{}] connection(s) before their handshake in the last {}:"
          + " handshakes in progress [{}] (maxHandshakes={} maxHandshakesPerAddress={})", refused,
          HumanText.duration(LOG_EVERY), inProgress, settings.maxHandshakes(),
          settings.maxHandshakesPerAddress());
      refused = 0;
      timers.startSingleTimer(LOG_TIMER, LogRefusals.INSTANCE, LOG_EVERY);
    }
    return this;
  }
}
