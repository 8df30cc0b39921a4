package io.github.browserpool.bench;

import java.util.ArrayList;
import java.util.List;

/** Table columns: a list of contenders followed by more. */
final class Cols {
  private Cols() {}

  static List<String> of(List<String> first, String... more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return all;
  }

  static List<String> of(List<String> first, List<String> more) {
    List<String> all = new ArrayList<>(first);
    all.addAll(more);
    return all;
  }
}
