package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tool's own settings live beside the tool, not in the library's reference.conf. */
class ToolReferenceTest {
  @Test
  void shouldKeepTheDemoSettingsOutOfTheLibrarysReference() {
    assertFalse(ConfigFactory.defaultReference().hasPath("backed-pipe.demo"));
  }

  @Test
  void shouldGiveTheToolTheDemoDefaultsAndAcceptThemInSet() {
    assertEquals(4, ToolConfig.reference().resolve().getInt("backed-pipe.demo.streams"));
    assertEquals(7, ToolConfig.load(Optional.empty(), Map.of("backed-pipe.demo.streams", 7))
        .getInt("backed-pipe.demo.streams"));
    SettingKeys.check(List.of("backed-pipe.demo.streams", "backed-pipe.window-bytes"));
  }
}
