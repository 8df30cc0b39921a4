package io.github.browserpool;

import io.github.browserpool.grid.GridKind;
import io.github.browserpool.local.LocalKind;
import io.github.browserpool.spi.BrowserKind;
import java.util.List;

/** The kinds of browser a pool can run, in the order {@link BrowserPool#start} asks them: a new kind is one line here. */
final class BrowserKinds {
  /** In the order start asks them; the kinds accept disjoint configs (BrowserKindsTest). */
  static final List<BrowserKind> KINDS = List.of(new GridKind(), new LocalKind());

  private BrowserKinds() {}

  /** The first kind that accepts {@code config}. */
  static BrowserKind of(PoolConfig config) {
    for (BrowserKind kind : KINDS) {
      if (kind.accepts(config)) {
        return kind;
      }
    }
    throw new IllegalStateException("[" + config.poolName() + "] no kind of browser accepts this config: " + config
        + "; BrowserKinds lists " + KINDS);
  }
}
