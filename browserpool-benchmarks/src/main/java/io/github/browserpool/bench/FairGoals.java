package io.github.browserpool.bench;

import static io.github.browserpool.bench.Env.BP;
import static io.github.browserpool.bench.Env.BP_CHROMIUM;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.LIMIT_CHROMIUM;
import static io.github.browserpool.bench.Env.PW;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The goal table of issue 19 at the top of results.md: each goal, the pool on the headless shell and on
 * full Chromium, the reference it is measured against (Playwright-Java on the headless shell, or the raw
 * limit on the pool's own binary), and whether it is met or by how much it is missed. A row whose measure
 * did not run is left out. Every ratio is the pool's median over the reference's median in the same run.
 */
final class FairGoals {
  private final Results r;
  private final Settings settings;
  private final List<String> rows = new ArrayList<>();

  FairGoals(Results r, Settings settings) {
    this.r = r;
    this.settings = settings;
  }

  /** The section, or "" when none of its measures ran. */
  String table() {
    int dense = settings.get(Knob.DENSE_CONTEXTS);
    String shellDense = DensePools.name(dense);
    String chromiumDense = DensePools.name(dense, io.github.browserpool.BrowserBinary.CHROMIUM);
    pss(shellDense, chromiumDense);
    warm(shellDense, chromiumDense);
    endpoint();
    cold();
    for (int w : ThroughputMeasure.WORKERS) {
      throughput(w, shellDense, chromiumDense);
    }
    close();
    if (rows.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("## Goals (issue 19): the pool on both binaries, the contenders on the"
        + " headless shell\n\n| measure | goal | browserpool, headless shell | browserpool, chromium | reference, same run"
        + " | met? headless shell / chromium |\n|---|---|---:|---:|---|---|\n");
    rows.forEach(sb::append);
    sb.append("\nRatios are the pool's median over the reference's median (PSS, times: lower is better; throughput:")
        .append(" higher is better). Dense rows use maxContextsPerBrowser ").append(dense)
        .append(" (the default). The tables below have n, p90, min and max of every cell.\n\n");
    return sb.toString();
  }

  private void row(String measure, String goal, String shell, String chromium, String reference, String met) {
    rows.add("| " + measure + " | " + goal + " | " + shell + " | " + chromium + " | " + reference + " | " + met + " |\n");
  }

  private void pss(String shell, String chromium) {
    String m = DensePssPart.M_PSS;
    Double pw = r.median(m, DensePssPart.PW_ONE);
    if (!r.ran(m)) {
      return;
    }
    row("PSS per concurrent isolated lease, 8 leases with a page of the site (MiB)",
        "<= 30, and <= 0.5x Playwright's one browser with 8 contexts",
        withRatio(m, shell, pw), withRatio(m, chromium, pw), "Playwright, one browser: " + fmt(pw),
        withinAndRatio(m, shell, pw, 30, "MiB", 0.5) + " / " + withinAndRatio(m, chromium, pw, 30, "MiB", 0.5));
  }

  /** Met when {@code c}'s median is at most {@code limit} and at most {@code maxRatio} times {@code ref}. */
  private String withinAndRatio(String m, String c, Double ref, double limit, String unit, double maxRatio) {
    Double v = r.median(m, c);
    if (v == null || ref == null) {
      return "not measured";
    }
    List<String> missed = new ArrayList<>();
    if (v > limit) {
      missed.add("over " + fmt(limit) + " " + unit + " by " + fmt(v - limit));
    }
    if (v / ref > maxRatio) {
      missed.add(ratio(v / ref) + " Playwright, not <= " + ratio(maxRatio));
    }
    return verdict(missed);
  }

  private void warm(String shell, String chromium) {
    String m = DenseWarmPart.M_WORK;
    if (!r.ran(m)) {
      return;
    }
    row("warm lease with " + settings.get(Knob.DENSE_WORK_MS) + " ms of caller work, acquire + newPage + first"
            + " evaluate (ms, median / p90)", "<= 5 / <= 15", medP90(m, shell), medP90(m, chromium),
        "Playwright newContext + newPage + evaluate: " + medP90(m, PW),
        metWarm(m, shell) + " / " + metWarm(m, chromium));
  }

  private String metWarm(String m, String c) {
    List<Double> s = r.samples(m, c);
    if (s.isEmpty()) {
      return "not measured";
    }
    double med = Stats.median(s);
    double p90 = Stats.p90(s);
    List<String> missed = new ArrayList<>();
    if (med > 5) {
      missed.add("median over by " + fmt(med - 5) + " ms");
    }
    if (p90 > 15) {
      missed.add("p90 over by " + fmt(p90 - 15) + " ms");
    }
    return verdict(missed);
  }

  private void endpoint() {
    String m = EndpointMeasure.M_FIRST;
    if (!r.ran(m)) {
      return;
    }
    Double pw = r.median(m, PW);
    row("Playwright through the endpoint: acquire + connectOverCDP + newPage + first evaluate (ms, median)",
        "<= 80, and <= 0.5x Playwright alone on the headless shell", withRatio(m, BP, pw), withRatio(m, BP_CHROMIUM, pw),
        "Playwright alone, newContext + newPage + evaluate: " + fmt(pw),
        withinAndRatio(m, BP, pw, 80, "ms", 0.5) + " / " + withinAndRatio(m, BP_CHROMIUM, pw, 80, "ms", 0.5));
  }

  private void cold() {
    String m = ColdLeaseMeasure.M;
    if (!r.ran(m)) {
      return;
    }
    Double ls = r.median(m, LIMIT);
    Double lc = r.median(m, LIMIT_CHROMIUM);
    row("cold lease to first evaluate (ms; x the raw limit on the same binary)", "<= 1.10x the limit",
        withRatio(m, BP, ls), withRatio(m, BP_CHROMIUM, lc),
        "limit (spawn to first CDP reply): headless shell " + fmt(ls) + ", chromium " + fmt(lc),
        atMost(m, BP, ls, 1.10, "the limit") + " / " + atMost(m, BP_CHROMIUM, lc, 1.10, "the limit"));
  }

  private void throughput(int workers, String shell, String chromium) {
    String m = DenseThroughputPart.measure(workers);
    if (!r.ran(m)) {
      return;
    }
    Double per = r.median(m, PW);
    Double one = r.median(m, DensePssPart.PW_ONE);
    Double pw = per == null ? one : one == null ? per : Math.max(per, one);
    row("isolated throughput, " + workers + " workers (pages/s)", ">= 1.5x Playwright on the headless shell",
        withRatio(m, shell, pw), withRatio(m, chromium, pw),
        "Playwright, the faster of a browser per worker (" + fmt(per) + ") and one shared (" + fmt(one) + ")",
        atLeast(m, shell, pw) + " / " + atLeast(m, chromium, pw));
  }

  private String atLeast(String m, String c, Double ref) {
    Double v = r.median(m, c);
    if (v == null || ref == null) {
      return "not measured";
    }
    return v / ref >= 1.5 ? "yes" : "no: " + ratio(v / ref) + ", short by " + ratio(1.5 - v / ref);
  }

  private void close() {
    String m = CloseMeasure.M;
    if (!r.ran(m)) {
      return;
    }
    Double pw = r.median(m, PW);
    row("close() of 8 idle browsers until verified gone (ms)", "<= Playwright's in the same run",
        withRatio(m, BP, pw), withRatio(m, BP_CHROMIUM, pw), "Playwright, browser.close() each: " + fmt(pw),
        atMost(m, BP, pw, 1.0, "Playwright") + " / " + atMost(m, BP_CHROMIUM, pw, 1.0, "Playwright"));
  }

  private String atMost(String m, String c, Double ref, double goal, String what) {
    Double v = r.median(m, c);
    if (v == null || ref == null) {
      return "not measured";
    }
    double x = v / ref;
    return x <= goal ? "yes" : "no: " + ratio(x) + " " + what + ", over by " + ratio(x - goal);
  }

  private String withRatio(String m, String c, Double ref) {
    Double v = r.median(m, c);
    if (v == null) {
      return "not measured";
    }
    return fmt(v) + (ref != null && ref > 0 ? " (" + ratio(v / ref) + ")" : "");
  }

  private String medP90(String m, String c) {
    List<Double> s = r.samples(m, c);
    return s.isEmpty() ? "not measured" : fmt(Stats.median(s)) + " / " + fmt(Stats.p90(s));
  }

  private static String verdict(List<String> missed) {
    return missed.isEmpty() ? "yes" : "no: " + String.join(", ", missed);
  }

  private static String fmt(Double v) {
    return v == null ? "not measured" : Stats.fmt(v);
  }

  private static String ratio(double x) {
    return String.format(Locale.ROOT, "%.2fx", x);
  }
}
