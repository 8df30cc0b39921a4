package io.github.browserpool.cdp;

import java.lang.reflect.Method;
import java.util.function.Supplier;

/** The {@code Object} methods of the pool's interface proxies: identity equality and hash, a name. */
public final class ProxyObjects {
  private ProxyObjects() {}

  /**
   * Answers {@code equals}, {@code hashCode} or {@code toString} called on {@code proxy}.
   *
   * @param name the proxy's {@code toString}
   */
  public static Object objectMethod(Object proxy, Method method, Object[] args, Supplier<String> name) {
    switch (method.getName()) {
      case "equals":
        return proxy == args[0];
      case "hashCode":
        return System.identityHashCode(proxy);
      default:
        return name.get();
    }
  }
}
