package io.github.browserpool.bench;

import java.time.Duration;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.DestroyMode;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.AbandonedConfig;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/** The hand-rolled contender: an Apache Commons Pool2 {@code GenericObjectPool} of cdt-launched browsers. */
final class Pool2s {
  private Pool2s() {}

  /** A pool of up to {@code max} browsers, waiting up to 60 s for one. */
  static GenericObjectPool<CdtBrowser> of(Env env, int max) {
    return of(env, max, null, null);
  }

  /** The same, reclaiming abandoned browsers per {@code abandoned} on an evictor every {@code evictionRuns}. */
  static GenericObjectPool<CdtBrowser> of(Env env, int max, AbandonedConfig abandoned, Duration evictionRuns) {
    GenericObjectPoolConfig<CdtBrowser> c = new GenericObjectPoolConfig<>();
    c.setMaxTotal(max);
    c.setMaxIdle(max);
    c.setJmxEnabled(false);
    c.setMaxWait(Duration.ofSeconds(60));
    if (evictionRuns != null) {
      c.setTimeBetweenEvictionRuns(evictionRuns);
    }
    BasePooledObjectFactory<CdtBrowser> f = new BasePooledObjectFactory<>() {
      @Override
      public CdtBrowser create() {
        return env.cdt();
      }

      @Override
      public PooledObject<CdtBrowser> wrap(CdtBrowser b) {
        return new DefaultPooledObject<>(b);
      }

      @Override
      public void destroyObject(PooledObject<CdtBrowser> p, DestroyMode mode) {
        p.getObject().close();
      }

      @Override
      public boolean validateObject(PooledObject<CdtBrowser> p) {
        return p.getObject().launcher.isAlive();
      }
    };
    return abandoned == null ? new GenericObjectPool<>(f, c) : new GenericObjectPool<>(f, c, abandoned);
  }
}
