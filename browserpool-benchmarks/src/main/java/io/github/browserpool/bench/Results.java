package io.github.browserpool.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Everything a run found: samples per measure and contender, the contenders' failures, notes on cells,
 * free notes for the report, and the measures that aborted. Thread-safe.
 */
final class Results {
  /** A contender keeps its turns until it has failed this many times in one measure. */
  static final int MAX_FAILURES = 3;

  private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
  private final Map<String, String> failures = new LinkedHashMap<>();
  private final Map<String, Integer> failureCounts = new LinkedHashMap<>();
  private final Map<String, String> cellNotes = new LinkedHashMap<>();
  private final Map<String, String> last = new LinkedHashMap<>();
  private final List<String> notes = new ArrayList<>();
  private final List<String> aborted = new ArrayList<>();

  synchronized void add(String m, String c, double v) {
    samples.computeIfAbsent(m, k -> new LinkedHashMap<>()).computeIfAbsent(c, k -> new ArrayList<>()).add(v);
    last.put(m + "/" + c, Stats.fmt(v));
  }

  /** Records a failed repetition of {@code c} in {@code m}. */
  synchronized void fail(String m, String c, Throwable t) {
    int n = failureCounts.merge(key(m, c), 1, Integer::sum);
    failures.put(key(m, c), "failed " + n + "x, last: " + t);
  }

  /** Whether {@code c} has failed {@link #MAX_FAILURES} times in {@code m}. */
  synchronized boolean failedOut(String m, String c) {
    return failureCounts.getOrDefault(key(m, c), 0) >= MAX_FAILURES;
  }

  /** Whether {@code m} has a sample or a failure: whether it was part of this run. */
  synchronized boolean ran(String m) {
    return samples.containsKey(m) || failures.keySet().stream().anyMatch(k -> k.startsWith(m + " / "));
  }

  synchronized String failure(String m, String c) {
    return failures.get(key(m, c));
  }

  synchronized Map<String, String> failures() {
    return new LinkedHashMap<>(failures);
  }

  /** Records that measure {@code stage} stopped with {@code t}; it is named in the report's notes. */
  synchronized void abort(String stage, Throwable t) {
    aborted.add(stage);
    notes.add("Measure '" + stage + "' aborted: " + t);
  }

  /** Whether every measure ran to its end and every contender's every turn gave a sample. */
  synchronized boolean complete() {
    return aborted.isEmpty() && failures.isEmpty();
  }

  /** A note shown in the cell of {@code c} in {@code m} (beside its median, or instead of it). */
  synchronized void note(String m, String c, String n) {
    cellNotes.put(key(m, c), n);
  }

  synchronized String noteFor(String m, String c) {
    return cellNotes.get(key(m, c));
  }

  /** A line in the report's Notes section. */
  synchronized void note(String line) {
    notes.add(line);
  }

  synchronized List<String> notes() {
    return new ArrayList<>(notes);
  }

  synchronized List<Double> samples(String m, String c) {
    return new ArrayList<>(samples.getOrDefault(m, Map.of()).getOrDefault(c, List.of()));
  }

  synchronized List<String> contenders(String m) {
    return new ArrayList<>(samples.getOrDefault(m, Map.of()).keySet());
  }

  /** The median of {@code c} in {@code m}, or null when it has no sample. */
  synchronized Double median(String m, String c) {
    List<Double> s = samples(m, c);
    return s.isEmpty() ? null : Stats.median(s);
  }

  /** The last sample of each contender in {@code m}, for the progress log. */
  synchronized String lastValues(String m) {
    return last.entrySet().stream().filter(e -> e.getKey().startsWith(m + "/"))
        .map(e -> e.getKey().substring(m.length() + 1) + "=" + e.getValue()).collect(Collectors.joining(", "));
  }

  private static String key(String m, String c) {
    return m + " / " + c;
  }
}
