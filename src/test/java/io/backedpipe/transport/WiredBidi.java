package io.backedpipe.transport;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A bidirectional layer under test, materialized between a queue and an actor on each side: what
 * the test offers to {@link #fromAbove} goes down through the layer into {@code below}; what it
 * offers to {@link #fromBelow} comes up through the layer to {@code above}. The tests of the
 * connection's layers build their harnesses on it, each with the sink below it needs (a probe, or
 * one whose demand the test drives).
 *
 * @param <T> what both sides carry
 * @param <M> the layer's materialized value
 * @param <B> the materialized value of the sink below
 */
final class WiredBidi<T, M, B> {
  /** Elements entering the layer from above (the pipe's side). */
  final BoundedSourceQueue<T> fromAbove;
  /** Elements entering the layer from below (the wire's side). */
  final BoundedSourceQueue<T> fromBelow;
  /** The layer's materialized value. */
  final M value;
  /** The sink below's materialized value. */
  final B below;
  /** Completes when the layer's upward side ends, fails when it fails. */
  final CompletionStage<Done> aboveDone;

  WiredBidi(ActorSystem<?> system, Graph<BidiShape<T, T, T, T>, M> layer, Sink<T, B> below,
      ActorRef<T> above) {
    var wire = Flow.fromSinkAndSourceMat(below, Source.<T>queue(16), Keep.both());
    var run = Source.<T>queue(16)
        .viaMat(BidiFlow.fromGraph(layer).join(wire, Keep.both()), Keep.both())
        .toMat(Sink.<T>foreach(above::tell), Keep.both())
        .run(system);
    fromAbove = run.first().first();
    value = run.first().second().first();
    this.below = run.first().second().second().first();
    fromBelow = run.first().second().second().second();
    aboveDone = run.second();
  }
}
