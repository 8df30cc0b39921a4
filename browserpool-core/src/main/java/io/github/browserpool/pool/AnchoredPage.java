package io.github.browserpool.pool;

import com.github.kklisura.cdt.services.ChromeDevToolsService;
import io.github.browserpool.cdp.ProxyObjects;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The page a user holds: a thin proxy over the real cdt service that also holds the lease handle, and
 * whose domains ({@code getPage()}, {@code getRuntime()}, ...) hold it too. So a page in use keeps its
 * lease reachable, and the Cleaner never reclaims a lease while its page works.
 *
 * <p>Only the user's objects hold the handle. The pool's own references to the page (the lease's page
 * list, the pipe's session registry, cdt's message handler) reach the real service, never this proxy,
 * so a lease dropped together with its pages still becomes unreachable and is reclaimed.
 */
final class AnchoredPage {
  private static final String CDT_DOMAINS = "com.github.kklisura.cdt.protocol.";

  private AnchoredPage() {}

  /** {@code real} behind a proxy that keeps {@code anchor} reachable; {@code real} itself when anchor is null. */
  static ChromeDevToolsService wrap(ChromeDevToolsService real, Object anchor) {
    return anchor == null ? real : proxy(ChromeDevToolsService.class, real, anchor);
  }

  private static <T> T proxy(Class<T> type, Object target, Object anchor) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        new Handler(target, anchor)));
  }

  private static final class Handler implements InvocationHandler {
    private final Object target;
    @SuppressWarnings("unused") // held only to keep the lease handle reachable
    private final Object anchor;
    /** One proxy per domain, so {@code page.getPage() == page.getPage()} as with cdt itself. */
    private final Map<Method, Object> domains = new ConcurrentHashMap<>();

    Handler(Object target, Object anchor) {
      this.target = target;
      this.anchor = anchor;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return ProxyObjects.objectMethod(proxy, method, args,
            () -> "AnchoredPage[" + target + "]");
      }
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      Class<?> type = method.getReturnType();
      if (result != null && type.isInterface() && type.getName().startsWith(CDT_DOMAINS)
          && (args == null || args.length == 0)) {
        Object domain = result;
        return domains.computeIfAbsent(method, m -> proxy(type, domain, anchor));
      }
      return result;
    }
  }
}
