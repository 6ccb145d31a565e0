package io.backedpipe.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.PipeCommand;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every message is an immutable record or enum; every connection report carries a generation. */
class ProtocolShapeTest {
  /** Internal supervisor messages that concern the pipe, not one connection. */
  private static final Set<String> NOT_ABOUT_A_CONNECTION =
      Set.of("OpenWriter", "SubscriberStopped", "ChildStopped", "RetryTick",
          "GiveUpTick", "InputEnded", "OutputAcknowledged", "FarewellTimeout");

  @ParameterizedTest
  @ValueSource(classes = {Writer.Command.class,
      Reader.Command.class, Writer.Reply.class, io.backedpipe.ReadReply.class})
  void shouldDefineEveryMessageAsARecordOrEnum(Class<?> protocol) {
    for (Class<?> message : protocol.getPermittedSubclasses()) {
      assertTrue(message.isRecord() || message.isEnum(), message + " is neither record nor enum");
    }
  }

  /**
   * The pipe's protocol is open (its internal messages live in another package than the public
   * ones, which a sealed interface does not allow here): its messages are the public ones nested
   * in {@link PipeCommand} and the internal ones nested in {@link PipeSupervisor}.
   */
  private static List<Class<?>> pipeMessages() {
    return java.util.stream.Stream.concat(
            Arrays.stream(PipeCommand.class.getDeclaredClasses()),
            Arrays.stream(PipeSupervisor.class.getDeclaredClasses()))
        .filter(PipeCommand.class::isAssignableFrom)
        .collect(Collectors.toList());
  }

  @Test
  void shouldDefineEveryPipeMessageAsARecordOrEnum() {
    assertTrue(pipeMessages().size() > 20, "messages found: " + pipeMessages());
    for (Class<?> message : pipeMessages()) {
      assertTrue(message.isRecord() || message.isEnum(), message + " is neither record nor enum");
    }
  }

  @Test
  void shouldStampEveryConnectionReportWithItsGeneration() {
    List<String> unstamped = pipeMessages().stream()
        .filter(c -> c.getDeclaringClass() == PipeSupervisor.class)
        .filter(c -> !NOT_ABOUT_A_CONNECTION.contains(c.getSimpleName()))
        .filter(c -> !hasGeneration(c))
        .map(Class::getSimpleName)
        .collect(Collectors.toList());
    assertEquals(List.of(), unstamped);
  }

  @Test
  void shouldStampEveryLinkMessageOfTheChildrenWithItsGeneration() {
    for (Class<?> c : List.of(Writer.Attach.class, Writer.Detach.class, Writer.LinkDemand.class,
        Writer.PeerAcked.class, Reader.SwitchGeneration.class, Reader.LinkStarted.class,
        Reader.Inbound.class, Reader.LinkEnded.class, Reader.LinkFailed.class)) {
      assertTrue(hasGeneration(c), c + " has no generation");
    }
  }

  private static boolean hasGeneration(Class<?> type) {
    if (!type.isRecord()) {
      return false;
    }
    for (RecordComponent component : type.getRecordComponents()) {
      if (component.getName().equals("generation") && component.getType() == long.class) {
        return true;
      }
    }
    return false;
  }
}
