package io.github.browserpool.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * What one run measures and with which numbers, read once from the measure list (system property
 * {@code bench.args} or the program's arguments, e.g. {@code cold,warm,pages=60,quick}) and from
 * {@code -Dbench.<key>} system properties; a setting in the list wins over the property.
 *
 * @param command the measure list as given (shown in results.md)
 * @param stages the measures to run, in running order
 * @param quick whether unset numbers take their quick value
 * @param numbers every {@link Knob}'s value
 * @param chrome full Chromium ({@code bench.chrome}): the pool's second column and the limit beside it
 * @param shell the headless shell ({@code bench.shell}): the pool's default binary, and the one every
 *     other contender runs (Playwright's own default for headless)
 * @param tmp the run's private temp dir ({@code java.io.tmpdir}), checked for leftovers
 * @param out where results.md goes ({@code bench.out})
 */
record Settings(String command, List<Stage> stages, boolean quick, Map<Knob, Integer> numbers, Path chrome,
    Path shell, Path tmp, Path out) {

  Settings {
    stages = List.copyOf(stages);
    numbers = Collections.unmodifiableMap(new EnumMap<>(numbers));
  }

  int get(Knob k) {
    return numbers.get(k);
  }

  /**
   * Reads the settings.
   *
   * @throws IllegalArgumentException naming the measure or setting that is unknown or out of range
   */
  static Settings parse(String command, Properties props) {
    Set<Stage> stages = EnumSet.noneOf(Stage.class);
    Map<String, String> given = new LinkedHashMap<>();
    boolean quick = false;
    for (String tok : command.trim().split("[, ]+")) {
      int eq = tok.indexOf('=');
      if (tok.isEmpty()) {
        continue;
      } else if (eq > 0) {
        given.put(tok.substring(0, eq), tok.substring(eq + 1));
      } else if (tok.equals("quick") || tok.equals("--quick")) {
        quick = true;
      } else if (tok.equalsIgnoreCase("all")) {
        EnumSet.allOf(Stage.class).stream().filter(s -> s.inAll).forEach(stages::add);
      } else {
        stages.add(Stage.byId(tok).orElseThrow(() -> new IllegalArgumentException("unknown measure '" + tok
            + "' in '" + command + "'; known: " + Stage.ids() + ", all, quick")));
      }
    }
    if (stages.isEmpty()) {
      EnumSet.allOf(Stage.class).stream().filter(s -> s.inAll).forEach(stages::add);
    }
    for (String key : given.keySet()) {
      if (Knob.byKey(key).isEmpty()) {
        throw new IllegalArgumentException("unknown setting '" + key + "' in '" + command + "'; known: " + Knob.keys());
      }
    }
    Map<Knob, Integer> numbers = new EnumMap<>(Knob.class);
    for (Knob k : Knob.values()) {
      String v = given.get(k.key);
      String where = k.key + "=" + v;
      if (v == null) {
        v = props.getProperty("bench." + k.key);
        where = "-Dbench." + k.key + "=" + v;
      }
      numbers.put(k, v == null ? (quick ? k.quickValue : k.defaultValue) : number(k, v, where));
    }
    return new Settings(command, List.copyOf(stages), quick, numbers,
        Path.of(props.getProperty("bench.chrome", "/usr/bin/chromium")),
        Path.of(props.getProperty("bench.shell", "/usr/bin/chromium-headless-shell")),
        Path.of(props.getProperty("java.io.tmpdir")).toAbsolutePath(),
        Path.of(props.getProperty("bench.out", "target/bench")).toAbsolutePath());
  }

  private static int number(Knob k, String v, String where) {
    int n;
    try {
      n = Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(where + ": not a whole number; " + k.key + " is " + k.meaning
          + " (default " + k.defaultValue + ")");
    }
    if (n < k.min) {
      throw new IllegalArgumentException(where + ": must be at least " + k.min + "; " + k.key + " is " + k.meaning);
    }
    return n;
  }

  /** The usage text: measures and settings. */
  static String usage() {
    return "measures: " + Stage.ids() + "; all (the default); quick (every unset number at its quick value)\n"
        + "settings (key=value in the list, or -Dbench.key=value):\n" + Knob.usage();
  }
}
