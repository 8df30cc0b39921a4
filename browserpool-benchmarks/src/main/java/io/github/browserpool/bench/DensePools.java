package io.github.browserpool.bench;

import io.github.browserpool.BrowserBinary;
import io.github.browserpool.PoolConfig;
import java.util.List;

/**
 * The browserpool columns of measure "dense": on the headless shell (the default) with {@code
 * maxContextsPerBrowser} 1 and the dense value (setting denseContexts), and on full Chromium with the
 * dense value (the default config but for the binary), so the binary's trade shows beside the contexts'.
 */
record DensePools(Env env, int contexts) {
  /** Concurrent leases in the PSS part. */
  static final int LEASES = 8;

  /** One browserpool column: contexts per browser and binary. */
  record Column(int contexts, BrowserBinary binary) {
    String name() {
      return DensePools.name(contexts, binary);
    }
  }

  static String name(int contexts) {
    return name(contexts, BrowserBinary.HEADLESS_SHELL);
  }

  static String name(int contexts, BrowserBinary binary) {
    return Env.BP + ", maxContextsPerBrowser " + contexts + (binary == BrowserBinary.CHROMIUM ? ", chromium" : "");
  }

  String one() {
    return name(1);
  }

  String dense() {
    return name(contexts);
  }

  /** The dense value on full Chromium. */
  String denseChromium() {
    return name(contexts, BrowserBinary.CHROMIUM);
  }

  /** The columns: 1 and the dense value on the shell (one when that is 1), the dense value on Chromium. */
  List<Column> columns() {
    return contexts == 1
        ? List.of(new Column(1, BrowserBinary.HEADLESS_SHELL), new Column(1, BrowserBinary.CHROMIUM))
        : List.of(new Column(1, BrowserBinary.HEADLESS_SHELL), new Column(contexts, BrowserBinary.HEADLESS_SHELL),
            new Column(contexts, BrowserBinary.CHROMIUM));
  }

  /** The browserpool columns' names. */
  List<String> names() {
    return columns().stream().map(Column::name).toList();
  }

  /** A pool of {@code c}'s binary that serves {@code leases} anonymous leases at once with its contexts per browser. */
  PoolConfig.Builder config(Column c, int leases) {
    return env.pool(c.binary()).maxContextsPerBrowser(c.contexts())
        .maxBrowsers((leases + c.contexts() - 1) / c.contexts());
  }
}
