package io.github.browserpool.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Median, p90 and the number format of every table. */
final class Stats {
  private Stats() {}

  static double median(List<Double> s) {
    List<Double> c = sorted(s);
    int n = c.size();
    return n % 2 == 1 ? c.get(n / 2) : (c.get(n / 2 - 1) + c.get(n / 2)) / 2;
  }

  /** The 90th percentile, nearest rank; NaN for no samples. */
  static double p90(List<Double> s) {
    if (s.isEmpty()) {
      return Double.NaN;
    }
    List<Double> c = sorted(s);
    return c.get((int) Math.ceil(0.9 * c.size()) - 1);
  }

  static double min(List<Double> s) {
    return s.stream().mapToDouble(d -> d).min().orElse(0);
  }

  static double max(List<Double> s) {
    return s.stream().mapToDouble(d -> d).max().orElse(0);
  }

  static double ms(long nanos) {
    return nanos / 1e6;
  }

  /** Three significant-ish digits: 123, 12.3, 1.23. */
  static String fmt(double v) {
    if (Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (Math.abs(v) >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String ratio(double v, double ref) {
    return String.format(Locale.ROOT, "%.2fx", v / ref);
  }

  private static List<Double> sorted(List<Double> s) {
    List<Double> c = new ArrayList<>(s);
    c.sort(null);
    return c;
  }
}
