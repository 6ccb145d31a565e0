package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every Java block of the README is a region of an example in the build ({@code
 * io.backedpipe.examples}, run by {@code ExamplesTest}), copied exactly, so the README shows code
 * that compiles and runs. A block is preceded by {@code <!-- example: FILE REGION -->}.
 */
class ReadmeExampleTest {
  private static final Path EXAMPLES = Path.of("src/test/java/io/backedpipe/examples");
  private static final Pattern BLOCK = Pattern.compile(
      "(?:<!-- example: (\\S+) (\\S+) -->\\n)?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void shouldShowOnlyCodeThatIsInTheRunnableExamples() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    Matcher block = BLOCK.matcher(readme);
    List<String> shown = new ArrayList<>();
    while (block.find()) {
      assertTrue(block.group(1) != null,
          "a Java block without an example marker: " + block.group(3).lines().findFirst());
      assertEquals(region(block.group(1), block.group(2)), block.group(3),
          "README block " + block.group(1) + " " + block.group(2));
      shown.add(block.group(2));
    }
    assertFalse(shown.isEmpty(), "the README shows no example");
  }

  /** The lines between {@code // README:begin NAME} and {@code // README:end}, de-indented. */
  private static String region(String file, String name) throws IOException {
    List<String> lines = Files.readAllLines(EXAMPLES.resolve(file));
    int begin = lines.indexOf(lines.stream().filter(l -> l.trim().equals("// README:begin " + name))
        .findFirst().orElseThrow(() -> new AssertionError("no region " + name + " in " + file)));
    List<String> body = new ArrayList<>();
    for (String line : lines.subList(begin + 1, lines.size())) {
      if (line.trim().equals("// README:end")) {
        break;
      }
      body.add(line);
    }
    int indent = body.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    StringBuilder text = new StringBuilder();
    body.forEach(l -> text.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
    return text.toString();
  }
}
