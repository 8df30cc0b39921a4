package io.github.browserpool.bench;

import io.github.browserpool.PoolConfig;
import java.util.List;

/**
 * The two browserpool columns of measure "dense": {@code maxContextsPerBrowser} 1 and the dense value
 * (setting denseContexts); one column when that is 1.
 */
record DensePools(Env env, int contexts) {
  /** Concurrent leases in the PSS part. */
  static final int LEASES = 8;

  static String name(int contexts) {
    return Env.BP + ", maxContextsPerBrowser " + contexts;
  }

  String one() {
    return name(1);
  }

  String dense() {
    return name(contexts);
  }

  List<Integer> contextCounts() {
    return contexts == 1 ? List.of(1) : List.of(1, contexts);
  }

  /** The browserpool columns' names. */
  List<String> names() {
    return contextCounts().stream().map(DensePools::name).toList();
  }

  /** A pool that serves {@code leases} anonymous leases at once with {@code contexts} per browser. */
  PoolConfig.Builder config(int contexts, int leases) {
    return env.pool().maxContextsPerBrowser(contexts).maxBrowsers((leases + contexts - 1) / contexts);
  }
}
