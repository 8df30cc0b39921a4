package io.github.browserpool.bench;

import java.nio.file.Files;
import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/** Measure "jmh" (section 3): {@link PoolBookkeeping} under JMH, one fork, no browser. */
final class BookkeepingMeasure implements Measure {
  static final String M = "jmh";

  private final BenchRun run;

  BookkeepingMeasure(BenchRun run) {
    this.run = run;
  }

  @Override
  public void run() throws Exception {
    Options opt = new OptionsBuilder()
        .include(PoolBookkeeping.class.getName() + ".*")
        .forks(1)
        .warmupIterations(run.get(Knob.JMH_WARMUPS)).warmupTime(TimeValue.seconds(1))
        .measurementIterations(run.get(Knob.JMH_ITERATIONS)).measurementTime(TimeValue.seconds(1))
        .jvmArgs("-Xmx512m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Djava.io.tmpdir=" + run.settings().tmp())
        .shouldFailOnError(true)
        .build();
    Collection<RunResult> rr;
    try {
      rr = new Runner(opt).run();
    } finally {
      Files.deleteIfExists(run.settings().tmp().resolve("jmh.lock")); // JMH's own lock file in java.io.tmpdir
    }
    for (RunResult r : rr) {
      String label = r.getParams().getBenchmark();
      label = label.substring(label.lastIndexOf('.') + 1);
      run.results().add(M, label, r.getPrimaryResult().getScore());
      double error = r.getPrimaryResult().getScoreError(); // NaN with a single iteration (quick)
      if (!Double.isNaN(error)) {
        run.results().note(M, label, String.format(Locale.ROOT, "± %.1f", error));
      }
    }
  }

  @Override
  public void report(Tables t) {
    t.table("3. Pool bookkeeping alone, JMH (ns/op, average time; " + run.get(Knob.JMH_WARMUPS) + "x1 s warm-up, "
            + run.get(Knob.JMH_ITERATIONS) + "x1 s measurement, 1 fork)", M, t.results().contenders(M), null, false,
        "browserpool = BrowserPool.acquire() + BrowserLease.close() over core's fake browsers (FakePools)"
            + " (captureAcquireSite off, the default; browserpool_site: on);"
            + " pool2 = GenericObjectPool borrowObject + returnObject of a plain Object;"
            + " throwable_capture = new Throwable() alone (what captureAcquireSite(true) adds to every acquire).");
  }
}
