package io.github.browserpool.bench;

import java.util.List;

/** The markdown tables of results.md, each from one measure's samples; a measure that did not run has none. */
final class Tables {
  private final StringBuilder sb;
  private final Results results;

  Tables(StringBuilder sb, Results results) {
    this.sb = sb;
    this.results = results;
  }

  Results results() {
    return results;
  }

  /** Appends raw markdown. */
  Tables text(String s) {
    sb.append(s);
    return this;
  }

  /**
   * Median, n, min, max and a ratio per contender: to {@code ratioTo}'s median, or when that is null or
   * unmeasured to the best median (the highest when {@code higherBetter}).
   */
  void table(String title, String measure, List<String> cols, String ratioTo, boolean higherBetter, String note) {
    if (!results.ran(measure)) {
      return;
    }
    sb.append("### ").append(title).append("\n\n");
    sb.append("| contender | median | n | min | max | ratio").append(ratioTo != null ? " to " + ratioTo : " to best")
        .append(" |\n|---|---:|---:|---:|---:|---:|\n");
    Double ref = ratioTo != null ? results.median(measure, ratioTo) : null;
    if (ref == null) {
      for (String c : cols) {
        Double v = results.median(measure, c);
        if (v != null && (ref == null || (higherBetter ? v > ref : v < ref))) {
          ref = v;
        }
      }
    }
    for (String c : cols) {
      List<Double> s = results.samples(measure, c);
      String fail = results.failure(measure, c);
      String n = results.noteFor(measure, c);
      if (s.isEmpty()) {
        sb.append("| ").append(c).append(" | ").append(unmeasured(fail, n)).append(" | 0 | | | |\n");
        continue;
      }
      double med = Stats.median(s);
      sb.append("| ").append(c).append(" | ").append(Stats.fmt(med)).append(n != null ? " " + n : "")
          .append(" | ").append(s.size())
          .append(" | ").append(Stats.fmt(Stats.min(s)))
          .append(" | ").append(Stats.fmt(Stats.max(s)))
          .append(" | ").append(ref != null && ref != 0 ? Stats.ratio(med, ref) : "")
          .append(fail != null ? " (also failed: " + oneLine(fail) + ")" : "")
          .append(" |\n");
    }
    end(note);
  }

  /** Median, p90, n, min and max per contender. */
  void percentiles(String title, String measure, List<String> cols, String note) {
    if (!results.ran(measure)) {
      return;
    }
    sb.append("### ").append(title)
        .append("\n\n| contender | median | p90 | n | min | max |\n|---|---:|---:|---:|---:|---:|\n");
    for (String c : cols) {
      List<Double> s = results.samples(measure, c);
      if (s.isEmpty()) {
        sb.append("| ").append(c).append(" | ").append(unmeasured(results.failure(measure, c), null))
            .append(" | | 0 | | |\n");
        continue;
      }
      sb.append("| ").append(c).append(" | ").append(Stats.fmt(Stats.median(s))).append(" | ")
          .append(Stats.fmt(Stats.p90(s))).append(" | ").append(s.size()).append(" | ")
          .append(Stats.fmt(Stats.min(s))).append(" | ").append(Stats.fmt(Stats.max(s))).append(" |\n");
    }
    end(note);
  }

  private void end(String note) {
    if (note != null) {
      sb.append('\n').append(note).append('\n');
    }
    sb.append('\n');
  }

  private static String unmeasured(String failure, String note) {
    return failure != null ? "not measured: " + oneLine(failure) : note != null ? note : "not measured";
  }

  static String oneLine(String s) {
    String t = s.replace('\n', ' ').replace('|', '/');
    return t.length() > 200 ? t.substring(0, 200) + "..." : t;
  }
}
