package io.github.browserpool.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * results.md: the machine and command, every measure's tables (medians, n, min, max and the ratio to the
 * reference contender), the contenders' failures, the notes, and the cleanup check. Also printed.
 */
final class Report {
  private final Settings settings;
  private final Machine machine;
  private final Results results;
  private final Env env;

  Report(Settings settings, Machine machine, Results results, Env env) {
    this.settings = settings;
    this.machine = machine;
    this.results = results;
    this.env = env;
  }

  /** Prints results.md, writes it (and any measure's own file) to the out dir; returns its path. */
  Path write(List<Measure> measures) throws IOException {
    String md = markdown(measures);
    Log.line(md);
    Files.createDirectories(settings.out());
    for (Measure m : measures) {
      for (Map.Entry<String, String> f : m.files().entrySet()) {
        Files.writeString(settings.out().resolve(f.getKey()), f.getValue());
      }
    }
    Path out = settings.out().resolve("results.md");
    Files.writeString(out, md);
    return out;
  }

  String markdown(List<Measure> measures) {
    String loadAfter = Machine.loadAverage();
    StringBuilder sb = new StringBuilder();
    header(sb, loadAfter);
    sb.append(new FairGoals(results, settings).table());
    Tables tables = new Tables(sb, results);
    measures.forEach(m -> m.report(tables));
    Map<String, String> failures = results.failures();
    if (!failures.isEmpty()) {
      sb.append("## Failures\n\n");
      failures.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
      sb.append('\n');
    }
    List<String> notes = results.notes();
    if (!notes.isEmpty()) {
      sb.append("## Notes\n\n");
      notes.forEach(n -> sb.append("- ").append(n).append('\n'));
      sb.append('\n');
    }
    sb.append("## Cleanup check (after the run)\n\n").append(env.leftovers.report()).append('\n');
    return sb.toString();
  }

  private void header(StringBuilder sb, String loadAfter) {
    String command = settings.command().trim();
    sb.append("# browserpool side-by-side benchmark\n\n");
    sb.append("- Date: ").append(machine.started()).append(", took ")
        .append(Duration.between(machine.started(), Instant.now()).toSeconds()).append(" s\n");
    sb.append("- Machine: nproc ").append(Runtime.getRuntime().availableProcessors()).append(", ")
        .append(Machine.memTotal()).append(", ").append(System.getProperty("os.name")).append(' ')
        .append(System.getProperty("os.version")).append('\n');
    sb.append("- Load average before / after: ").append(machine.loadBefore()).append(" / ").append(loadAfter)
        .append("; other chrom* processes on the machine at start: ").append(machine.otherChromes()).append('\n');
    sb.append("- Chromium: ").append(machine.chromium()).append('\n');
    sb.append("- Java: ").append(System.getProperty("java.vm.name")).append(' ')
        .append(System.getProperty("java.runtime.version")).append('\n');
    sb.append("- Command: `bash scripts/bench.sh").append(command.equals("all") ? "" : " " + command)
        .append("` (JVM: ").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append(")\n");
    if (settings.quick()) {
      sb.append("- Quick run: every unset number at its smallest; for checking the benchmark, not for comparing.\n");
    }
    sb.append("- Binaries: every contender runs on the headless shell (Playwright's own default for headless);")
        .append(" browserpool and the limit also on full Chromium, in the columns named chromium. Found running:\n");
    env.setupLines().forEach(l -> sb.append("  - ").append(l).append('\n'));
    sb.append("- Contenders interleaved round-robin per repetition (order rotated each time). All numbers are")
        .append(" medians of samples taken in this run; n = samples.\n\n");
  }
}
