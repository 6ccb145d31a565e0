package io.backedpipe.server;

import io.backedpipe.DisconnectCause;
import io.backedpipe.FuturePositionException;
import io.backedpipe.HistoryMismatchException;
import io.backedpipe.wire.LinkLimits;
import io.backedpipe.PipeClosedException;
import io.backedpipe.ReplayUnavailableException;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;

/**
 * The WELCOME that answers a hosted pipe's reply to {@code PipeCommand.Accept}: the same answer
 * whether the pipe lives in this server's {@link PipeRegistry} or on a cluster node.
 */
public final class AcceptAnswers {
  private AcceptAnswers() {}

  /**
   * The answer to a HELLO the pipe accepted.
   *
   * @param local where the pipe resumes
   * @param grace how long the server keeps the stream for a reconnect
   * @return the OK WELCOME
   */
  public static Frame.Welcome accepted(ResumePoint local, Duration grace) {
    return new Frame.Welcome(HandshakeStatus.OK, local.position(), local.historyCheck(),
        grace.toMillis(), local.limits(), "");
  }

  /**
   * The answer to a HELLO the pipe refused ({@code error} from its reply) or did not answer in
   * time.
   *
   * @param error why
   * @param grace how long the server keeps a stream for a reconnect
   * @param limits what the server accepts
   * @return the refusing WELCOME
   */
  public static Frame.Welcome refused(Throwable error, Duration grace, LinkLimits limits) {
    return refused(status(error), error.getMessage(), grace, limits);
  }

  /**
   * A refusing WELCOME.
   *
   * @param status the verdict, not OK
   * @param detail why, cut to fit the frame
   * @param grace how long the server keeps a stream for a reconnect
   * @param limits what the server accepts
   * @return the WELCOME
   */
  public static Frame.Welcome refused(HandshakeStatus status, String detail, Duration grace,
      LinkLimits limits) {
    return new Frame.Welcome(status, -1, 0, grace.toMillis(), limits,
        Frame.Welcome.fitDetail(String.valueOf(detail)));
  }

  /**
   * Why a HELLO without the right proof of the shared secret is refused ({@code NOT_AUTHORIZED}):
   * a missing proof (a client without a secret) or a wrong one (another secret, or a forger). The
   * client knows which it sent, so the detail tells it nothing new.
   *
   * @param hello the refused HELLO
   * @return the detail
   */
  public static String unproven(Frame.Hello hello) {
    return hello.proof().isEmpty()
        ? "proof required: the server has a shared secret and the HELLO carries no proof"
        : "proof wrong: the HELLO's proof does not match the server's shared secret";
  }

  /**
   * The status that tells the client why its pipe refused it.
   *
   * @param error the pipe's refusal, or the ask's failure
   * @return the status
   */
  public static HandshakeStatus status(Throwable error) {
    if (error instanceof FuturePositionException || error instanceof ReplayUnavailableException) {
      return HandshakeStatus.BAD_POSITION;
    } else if (error instanceof HistoryMismatchException) {
      return HandshakeStatus.HISTORY_MISMATCH;
    } else if (error instanceof PipeClosedException closed) {
      // A pipe that completed just before this HELLO reached it: the stream is done, not unknown.
      return closed.closeCause() == DisconnectCause.COMPLETED
          ? HandshakeStatus.COMPLETED : HandshakeStatus.UNKNOWN_STREAM;
    }
    return HandshakeStatus.LIMIT_REACHED;
  }
}
