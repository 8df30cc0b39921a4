package io.github.browserpool.bench;

import io.github.browserpool.BrowserBinary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine as the run found it: when it started, the load average, how many other Chromium processes
 * were running, and which Chromium the contenders get.
 */
record Machine(Instant started, String loadBefore, int otherChromes, String chromium) {
  static Machine before(Env env) throws IOException {
    Instant started = Instant.now();
    String load = loadAverage();
    int others = Procs.referencing("chrom").size();
    return new Machine(started, load, others, chromiumVersion(env));
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  static String memTotal() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
          .map(l -> l.replaceAll("\\s+", " ")).findFirst().orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  /** Each build's product and protocol, the path it is configured with and the file started. */
  private static String chromiumVersion(Env env) throws IOException {
    List<String> out = new ArrayList<>();
    for (BrowserBinary b : BrowserBinary.values()) {
      try (RawChrome c = env.raw(b)) {
        var v = c.call(null, "Browser.getVersion", null);
        out.add(Env.label(b) + " " + v.path("product").asText() + " (protocol " + v.path("protocolVersion").asText()
            + ") at " + env.configured(b) + (env.started(b).equals(env.configured(b)) ? "" : ", started as "
            + env.started(b)));
      }
    }
    return String.join("; ", out);
  }
}
