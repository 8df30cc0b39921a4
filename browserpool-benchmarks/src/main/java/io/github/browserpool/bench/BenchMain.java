package io.github.browserpool.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * The benchmark program: browserpool beside a bare Chromium (the limit), cdt's launcher per task (naive),
 * Commons Pool2 of cdt browsers (hand-rolled) and Playwright-Java, in one run on one machine. Reads the
 * {@link Settings}, runs the asked {@link Stage}s through the {@link Runner}, and writes the {@link Report}
 * to {@code <bench.out>/results.md}.
 *
 * <p>The measure list comes from the arguments or, without any, from {@code -Dbench.args} (default "all");
 * {@link Settings#usage()} lists the measures and settings. Exit code: 0 when every measure ran to its end
 * and every turn gave a sample, 1 when something failed (results.md says what), 2 for a bad measure list.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(run(args.length > 0 ? String.join(",", args) : System.getProperty("bench.args", "all")));
  }

  static int run(String command) {
    Settings settings;
    try {
      settings = Settings.parse(command, System.getProperties());
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage() + "\n" + Settings.usage());
      return 2;
    }
    try {
      BenchRun run = BenchRun.of(settings);
      Machine machine = Machine.before(run.env());
      Log.line("bench: tmp=" + settings.tmp() + ", shell=" + settings.shell() + ", chrome=" + settings.chrome() + ", measures=" + settings.stages()
          + (settings.quick() ? " (quick)" : "") + ", other chrom* processes on the machine: "
          + machine.otherChromes() + ", loadavg " + machine.loadBefore());
      Log.line("bench: " + machine.chromium());
      List<Measure> measures = Runner.runAll(run);
      Path out = new Report(settings, machine, run.results(), run.env()).write(measures);
      Log.line("bench: wrote " + out);
      return run.results().complete() ? 0 : 1;
    } catch (Exception e) {
      e.printStackTrace();
      return 1;
    }
  }
}
