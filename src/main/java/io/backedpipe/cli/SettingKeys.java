package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the keys of {@code --set} and of a configuration file: a key that no setting has would be
 * ignored without a word, so a typo would leave the default in force. A key must be a setting of the library's
 * {@code reference.conf} ({@code backed-pipe.*}) or of Pekko's ({@code pekko.*}, where a few
 * subtrees, such as deployments and serializers, take names of the user's choosing); a near miss
 * is named.
 */
final class SettingKeys {
  /** Keys read although {@code reference.conf} no longer defines them (old names). */
  private static final List<String> OLD_KEYS =
      List.of("backed-pipe.server.max-total-window-bytes");
  /** Pekko subtrees whose keys are names the user chooses. */
  private static final List<String> OPEN_SUBTREES = List.of("pekko.actor.deployment.",
      "pekko.actor.serializers.", "pekko.actor.serialization-bindings.",
      "pekko.actor.serialization-identifiers.", "pekko.coordinated-shutdown.phases.");

  private SettingKeys() {}

  /**
   * Checks keys against the reference configuration.
   *
   * @param keys the keys of {@code --set}
   * @throws IllegalArgumentException naming the first key that is not a setting, with a near
   *     match when there is one
   */
  static void check(Collection<String> keys) {
    Config reference = ToolConfig.reference().resolve();
    for (String key : keys) {
      problem(key, reference).ifPresent(why -> {
        throw new IllegalArgumentException("--set " + key + ": " + why);
      });
    }
  }

  /**
   * Checks the keys a configuration file sets under {@code backed-pipe} and {@code pekko}, as
   * {@link #check} does those of {@code --set}: a typo in a file would otherwise leave the default
   * in force as silently. Other keys are the file's own business (it may be an application's
   * configuration that also holds ours) and pass.
   *
   * @param name the file, as the error names it
   * @param file the parsed file, unresolved (its substitutions may point into the reference)
   * @throws IllegalArgumentException naming the file and its first key that is not a setting
   */
  static void checkFile(String name, Config file) {
    Config reference = ToolConfig.reference().resolve();
    List<String> keys = new ArrayList<>();
    for (String root : List.of("backed-pipe", "pekko")) {
      if (file.root().get(root) instanceof ConfigObject tree) {
        leaves(List.of(root), tree, keys);
      }
    }
    for (String key : keys) {
      problem(key, reference).ifPresent(why -> {
        throw new IllegalArgumentException("config file " + name + ": " + key + ": " + why);
      });
    }
  }

  /** The paths of every value under {@code tree} that is not an object, in the file's order. */
  private static void leaves(List<String> path, ConfigObject tree, List<String> into) {
    for (Map.Entry<String, ConfigValue> entry : tree.entrySet()) {
      List<String> child = new ArrayList<>(path);
      child.add(entry.getKey());
      String key = ConfigUtil.joinPath(child);
      if (entry.getValue() instanceof ConfigObject object && !object.isEmpty()
          && OPEN_SUBTREES.stream().noneMatch((key + ".")::startsWith)) {
        leaves(child, object, into);
      } else {
        into.add(key);
      }
    }
  }

  /**
   * What is wrong with one key.
   *
   * @param key the key as given
   * @param reference the reference configuration
   * @return empty when the key is a setting
   */
  static Optional<String> problem(String key, Config reference) {
    try {
      ConfigUtil.splitPath(key);
    } catch (ConfigException e) {
      return Optional.of("not a setting's path");
    }
    boolean ours = key.startsWith("backed-pipe.");
    if (!ours && !key.startsWith("pekko.")) {
      return Optional.of("not a setting of backed-pipe or Pekko (their keys start with"
          + " backed-pipe. and pekko.)");
    }
    if (reference.hasPathOrNull(key) || OLD_KEYS.contains(key)
        || OPEN_SUBTREES.stream().anyMatch(key::startsWith)) {
      return Optional.empty();
    }
    String root = ours ? "backed-pipe" : "pekko";
    Optional<String> near = nearest(key, reference.getConfig(root), root);
    return Optional.of("no such setting" + near.map(n -> " (did you mean " + n + "?)")
        .orElse(ours ? " (see reference.conf)" : ""));
  }

  /**
   * The setting whose key is closest to {@code key}, if one is close enough to be a typo, or the
   * only one that {@code key} begins (a name cut short: {@code server.grace}).
   */
  private static Optional<String> nearest(String key, Config tree, String root) {
    List<String> paths = tree.entrySet().stream().map(e -> root + "." + e.getKey()).toList();
    List<String> longer = paths.stream().filter(p -> p.startsWith(key)).toList();
    if (longer.size() == 1) {
      return Optional.of(longer.get(0));
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String path : paths) {
      int distance = distance(key, path);
      if (distance < bestDistance) {
        best = path;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= Math.max(2, key.length() / 6)
        ? Optional.of(best) : Optional.empty();
  }

  /** The Levenshtein distance: edits (insert, delete, replace a character) from a to b. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int replace = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(replace, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
