package io.github.browserpool.bench;

import static io.github.browserpool.bench.DenseIdlePart.BARE;
import static io.github.browserpool.bench.DenseIdlePart.BARE_CHROMIUM;
import static io.github.browserpool.bench.DenseIdlePart.M_IDLE;
import static io.github.browserpool.bench.DenseIdlePart.M_IDLE_PREPARED;
import static io.github.browserpool.bench.DenseIdlePart.M_IDLE_RENDERERS;
import static io.github.browserpool.bench.DensePssPart.LIMIT_ONE;
import static io.github.browserpool.bench.DensePssPart.M_PSS;
import static io.github.browserpool.bench.DensePssPart.PW_DRIVER;
import static io.github.browserpool.bench.DensePssPart.PW_ONE;
import static io.github.browserpool.bench.DenseWarmPart.M_B2B;
import static io.github.browserpool.bench.DenseWarmPart.M_WORK;
import static io.github.browserpool.bench.Env.LIMIT;
import static io.github.browserpool.bench.Env.PW;

import java.util.List;
import java.util.function.Predicate;

/** The goal table of measure "dense" (section 9): each goal, both browserpool columns, met or not. */
final class DenseGoals {
  private final Results r;
  private final DensePools pools;
  private final Settings settings;

  DenseGoals(Results r, DensePools pools, Settings settings) {
    this.r = r;
    this.pools = pools;
    this.settings = settings;
  }

  String table() {
    int dense = pools.contexts();
    int workMs = settings.get(Knob.DENSE_WORK_MS);
    StringBuilder sb = new StringBuilder();
    sb.append("### 9. Dense leases (maxContextsPerBrowser 1 and ").append(dense).append("): the goal table\n\n");
    sb.append("| measure | goal | maxContextsPerBrowser 1 | ").append(dense).append(" | ").append(dense)
        .append(", chromium | contenders | met? (").append(dense).append(" / 1 / ").append(dense)
        .append(" chromium) |\n|---|---|---:|---:|---:|---|---|\n");

    // 1. PSS
    Double pw = r.median(M_PSS, PW_ONE);
    Double drv = r.median(M_PSS, PW_DRIVER);
    row(sb, "1. PSS per concurrent isolated lease, 8 leases with a page of the site (MiB)", "<= 60, below Playwright",
        cell(M_PSS, pools.one()), cell(M_PSS, pools.dense()), cell(M_PSS, pools.denseChromium()), "Playwright 1 browser: " + cell(M_PSS, PW_ONE)
            + (drv != null ? " (+ driver " + Stats.fmt(drv) + " MiB, " + Stats.fmt(drv / DensePools.LEASES)
            + " per lease)" : "") + "; raw, 1 browser: " + cell(M_PSS, LIMIT_ONE),
        met(k -> within(r.median(M_PSS, k), 60) && pw != null && r.median(M_PSS, k) < pw));

    // 2. warm with work
    row(sb, "2. warm acquire + newPage + first evaluate, " + workMs + " ms of work before and after (ms, median / p90)",
        "<= 5 / <= 15", medP90(M_WORK, pools.one()), medP90(M_WORK, pools.dense()),
        medP90(M_WORK, pools.denseChromium()),
        "raw: " + medP90(M_WORK, LIMIT) + "; Playwright: " + medP90(M_WORK, PW),
        met(k -> within(r.median(M_WORK, k), 5) && within(Stats.p90(r.samples(M_WORK, k)), 15)));

    // 3. back to back
    Double raw = r.median(M_B2B, LIMIT);
    row(sb, "3. the same back to back (ms, median; ratio to the raw sequence)", "<= 1.0x raw",
        ratioCell(M_B2B, pools.one(), raw), ratioCell(M_B2B, pools.dense(), raw),
        ratioCell(M_B2B, pools.denseChromium(), raw),
        "raw createBrowserContext + createTarget + attach + evaluate: " + cell(M_B2B, LIMIT) + "; Playwright: "
            + ratioCell(M_B2B, PW, raw),
        met(k -> raw != null && r.median(M_B2B, k) != null && r.median(M_B2B, k) <= raw));

    // 4. throughput
    for (int w : ThroughputMeasure.WORKERS) {
      String m = DenseThroughputPart.measure(w);
      Double fl = r.median(m, LIMIT);
      Double pPer = r.median(m, PW);
      Double pOne = r.median(m, PW_ONE);
      Double p = pPer == null ? pOne : pOne == null ? pPer : Math.max(pPer, pOne);
      row(sb, "4. isolated throughput, " + w + " workers (pages/s; x raw, x Playwright)",
          ">= 1.0x raw, >= 1.5x Playwright", tputCell(m, pools.one(), fl, p), tputCell(m, pools.dense(), fl, p),
          tputCell(m, pools.denseChromium(), fl, p),
          "raw floor: " + cell(m, LIMIT) + "; Playwright, a browser per worker: " + cell(m, PW)
              + "; Playwright, one browser shared: " + cell(m, PW_ONE),
          met(k -> {
            Double v = r.median(m, k);
            return v != null && fl != null && p != null && v >= fl && v >= 1.5 * p;
          }));
    }

    // 5. idle processes
    Double bare = r.median(M_IDLE, BARE);
    Double bareChromium = r.median(M_IDLE, BARE_CHROMIUM);
    row(sb, "5. processes of an idle pool of 1 browser (renderers in it; prepared contexts)",
        "<= bare + 1 per prepared context", idleCell(pools.one()), idleCell(pools.dense()), idleCell(pools.denseChromium()),
        "bare headless shell: " + idleCell(BARE) + "; bare chromium: " + idleCell(BARE_CHROMIUM),
        met(k -> {
          Double v = r.median(M_IDLE, k);
          Double prep = r.median(M_IDLE_PREPARED, k);
          Double ref = k.equals(pools.denseChromium()) ? bareChromium : bare;
          return v != null && ref != null && prep != null && v <= ref + prep;
        }));
    sb.append('\n');
    sb.append("The contenders run on the headless shell; the column ").append(pools.denseChromium())
        .append(" is the pool on full Chromium, measured against the same contenders (goal 5: against a bare")
        .append(" chromium), so its row shows the binary's trade. ");
    sb.append("Goal 5: prepared contexts as PoolStats.preparedContexts() reports them. Throughput: the raw floor runs")
        .append(" one bare browser per worker; Playwright-Java either one Playwright and browser per worker, or")
        .append(" one browser that the workers take turns on (a Playwright instance is not thread-safe), a new")
        .append(" context per page; the ratio is to the faster of the two. Settings: denseContexts=")
        .append(dense).append(", denseReps=").append(settings.get(Knob.DENSE_REPS)).append(", denseWorkMs=")
        .append(workMs).append(", densePages=").append(settings.get(Knob.DENSE_PAGES)).append(", denseTputReps=")
        .append(settings.get(Knob.DENSE_TPUT_REPS)).append(".\n\n");
    return sb.toString();
  }

  private static void row(StringBuilder sb, String measure, String goal, String one, String dense,
      String denseChromium, String others, String met) {
    sb.append("| ").append(measure).append(" | ").append(goal).append(" | ").append(one).append(" | ").append(dense)
        .append(" | ").append(denseChromium).append(" | ").append(others).append(" | ").append(met).append(" |\n");
  }

  /** "yes"/"no" for the dense column, then " / " and the same for the column of 1, then for Chromium's. */
  private String met(Predicate<String> goal) {
    String d = goal.test(pools.dense()) ? "yes" : "no";
    String c = goal.test(pools.denseChromium()) ? "yes" : "no";
    return pools.contexts() == 1 ? d + " / " + c : d + " / " + (goal.test(pools.one()) ? "yes" : "no") + " / " + c;
  }

  private static boolean within(Double v, double limit) {
    return v != null && !v.isNaN() && v <= limit;
  }

  private String cell(String m, String c) {
    Double v = r.median(m, c);
    return v == null ? "not measured" : Stats.fmt(v);
  }

  private String medP90(String m, String c) {
    List<Double> s = r.samples(m, c);
    return s.isEmpty() ? "not measured" : Stats.fmt(Stats.median(s)) + " / " + Stats.fmt(Stats.p90(s));
  }

  private String ratioCell(String m, String c, Double ref) {
    Double v = r.median(m, c);
    if (v == null) {
      return "not measured";
    }
    return Stats.fmt(v) + (ref != null && ref > 0 ? " (" + Stats.ratio(v, ref) + ")" : "");
  }

  private String tputCell(String m, String c, Double floor, Double pw) {
    Double v = r.median(m, c);
    if (v == null) {
      return "not measured";
    }
    return Stats.fmt(v) + " (" + (floor != null ? Stats.ratio(v, floor) : "?") + ", "
        + (pw != null ? Stats.ratio(v, pw) : "?") + ")";
  }

  private String idleCell(String c) {
    Double v = r.median(M_IDLE, c);
    Double rend = r.median(M_IDLE_RENDERERS, c);
    Double prep = r.median(M_IDLE_PREPARED, c);
    return v == null ? "not measured" : Stats.fmt(v) + (rend != null ? " (" + Stats.fmt(rend)
        + (prep != null ? "; " + Stats.fmt(prep) : "") + ")" : "");
  }
}
