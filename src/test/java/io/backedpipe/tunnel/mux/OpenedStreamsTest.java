package io.backedpipe.tunnel.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which stream ids a tunnel connection opened, when OPENs arrive a little out of order. */
class OpenedStreamsTest {
  @Test
  void shouldKnowIdsOpenedInAnyOrderAndNotTheOthers() throws Exception {
    OpenedStreams opened = new OpenedStreams(4);
    opened.open(2);
    opened.open(1);
    opened.open(4);
    assertTrue(opened.contains(1) && opened.contains(2) && opened.contains(4));
    assertFalse(opened.contains(3));
    assertFalse(opened.contains(5));
    assertEquals(3, opened.next());
    opened.open(3);
    assertEquals(5, opened.next());
  }

  @Test
  void shouldRefuseAnIdOpenedTwice() throws Exception {
    OpenedStreams opened = new OpenedStreams(4);
    opened.open(1);
    opened.open(3);
    assertEquals("stream 1 opened twice",
        assertThrows(MuxProtocolException.class, () -> opened.open(1)).getMessage());
    assertThrows(MuxProtocolException.class, () -> opened.open(3));
  }

  @Test
  void shouldRefuseAClientThatSkipsIdsWithoutEnd() throws Exception {
    OpenedStreams opened = new OpenedStreams(3);
    opened.open(10);
    opened.open(20);
    opened.open(30);
    assertTrue(assertThrows(MuxProtocolException.class, () -> opened.open(40)).getMessage()
        .contains("stream ids are given in order"));
    opened.open(1); // the lowest missing one is always welcome
    assertEquals(2, opened.next());
  }
}
