package io.github.browserpool.cdp;

import com.github.kklisura.cdt.services.exceptions.ChromeDevToolsInvocationException;
import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.kklisura.cdt.services.ChromeDevToolsService;
import com.github.kklisura.cdt.services.WebSocketService;
import com.github.kklisura.cdt.services.config.ChromeDevToolsServiceConfiguration;
import com.github.kklisura.cdt.services.impl.ChromeDevToolsServiceImpl;
import com.github.kklisura.cdt.services.invocation.CommandInvocationHandler;
import com.github.kklisura.cdt.services.utils.ProxyUtils;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds cdt-java-client's typed {@link ChromeDevToolsService} over a {@link CdpSession}, with every
 * command and event subscription passing through a {@link CallGuard}.
 *
 * <p>The service is built the way cdt's {@code ChromeServiceImpl.createDevToolsService} builds it, but its
 * event handlers run on shared daemon threads (so an unclosed service does not keep the JVM alive), and
 * cdt's JSON mapper is set, once per JVM, to read enum values it does not know as null instead of failing
 * (Chromium 156 sends many that cdt 4.0.0 lacks).
 *
 * <p>A call in flight when the session dies fails with cdt's {@code ChromeDevToolsInvocationException}
 * with code {@link CdpSessionClosedException#CODE} (the page is gone) or {@link
 * CdpConnectionClosedException#CODE} (the whole browser connection is gone); a call made after that fails
 * at once with {@link CdpSessionClosedException} or {@link CdpConnectionClosedException}. A call that
 * outlives the call timeout fails with code {@link CdpCallTimeoutException#CODE}. All of them pass through
 * {@link CallGuard#translate}. Closing the service closes the session, which closes its target.
 *
 * <p>The call timeout is enforced by the session ({@link CdpSession#callTimeout}), not by cdt's own
 * {@code readTimeout}: that one counts whole seconds, throws a message that names no method, and leaves
 * the call registered on the pipe; cdt's is left at 0 (wait until the session answers or fails the call).
 */
public final class DevToolsServices {
  private static final Logger log = LoggerFactory.getLogger(DevToolsServices.class);
  private static final AtomicBoolean mapperConfigured = new AtomicBoolean();

  private DevToolsServices() {}

  /**
   * Creates a typed service over {@code session} without a call timeout; cheap (well under a
   * millisecond once warm).
   *
   * @param guard wraps every command; use {@link CallGuard#NONE} for none
   */
  public static ChromeDevToolsService create(CdpSession session, CallGuard guard) {
    return create(session, guard, Duration.ZERO);
  }

  /**
   * Creates a typed service over {@code session} whose every call fails with code {@link
   * CdpCallTimeoutException#CODE} when it gets no reply within {@code callTimeout}; the session is then
   * closed (see {@link CdpSession#callTimeout}).
   *
   * @param guard wraps every command; use {@link CallGuard#NONE} for none
   * @param callTimeout how long one call may wait for its reply; {@link Duration#ZERO} for no limit
   */
  public static ChromeDevToolsService create(CdpSession session, CallGuard guard, Duration callTimeout) {
    Objects.requireNonNull(session, "session");
    Objects.requireNonNull(guard, "guard");
    session.callTimeout(callTimeout);
    String name = session.connectionName();
    if (mapperConfigured.compareAndSet(false, true)) {
      readUnknownEnumValuesAsNull(name);
    }

    ChromeDevToolsServiceConfiguration configuration = new ChromeDevToolsServiceConfiguration();
    // Its field initialiser made a single-thread executor; it has started no thread yet. End it unused.
    configuration.getEventExecutorService().shutdown();
    configuration.setEventExecutorService(new SerialEventExecutor(name, session.connection().threads().events()));

    CommandInvocationHandler commands = new CommandInvocationHandler();
    InvocationHandler guarded = new GuardedInvocationHandler(commands, guard);
    Map<Method, Object> domains = new ConcurrentHashMap<>();
    ChromeDevToolsServiceImpl service =
        ProxyUtils.createProxyFromAbstract(
            ChromeDevToolsServiceImpl.class,
            new Class<?>[] {WebSocketService.class, ChromeDevToolsServiceConfiguration.class},
            new Object[] {session, configuration},
            (unused, getter, args) ->
                domains.computeIfAbsent(getter, key -> ProxyUtils.createProxy(key.getReturnType(), guarded)));
    commands.setChromeDevToolsService(service);
    return service;
  }

  /**
   * Turns on {@link DeserializationFeature#READ_UNKNOWN_ENUM_VALUES_AS_NULL} on cdt's private static
   * mapper. This works without {@code --add-opens} because cdt lives in the unnamed module. JVM-wide.
   */
  static boolean readUnknownEnumValuesAsNull(String name) {
    try {
      Field field = ChromeDevToolsServiceImpl.class.getDeclaredField("OBJECT_MAPPER");
      field.setAccessible(true);
      ((ObjectMapper) field.get(null)).configure(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL, true);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "[{}] cannot make cdt read unknown enum values as null ({}); calls whose replies carry enum values"
              + " newer than cdt-java-client will fail with InvalidFormatException",
          name,
          e.toString());
      return false;
    }
  }

  /** Runs {@link CallGuard#beforeCall()} before cdt's handler, and {@link CallGuard#translate} on failure. */
  private static final class GuardedInvocationHandler implements InvocationHandler {
    private final InvocationHandler commands;
    private final CallGuard guard;

    GuardedInvocationHandler(InvocationHandler commands, CallGuard guard) {
      this.commands = commands;
      this.guard = guard;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      if (method.getDeclaringClass() == Object.class) {
        return ProxyObjects.objectMethod(proxy, method, args,
            () -> "cdt " + proxy.getClass().getInterfaces()[0].getSimpleName() + " domain (browserpool)");
      }
      guard.beforeCall();
      if (CommandInvocationHandler.isEventSubscription(method)) {
        return commands.invoke(proxy, method, args);
      }
      String name = method.getDeclaringClass().getSimpleName() + "." + method.getName();
      guard.beforeCommand(name);
      Object result;
      try {
        result = commands.invoke(proxy, method, args);
        guard.replied();
      } catch (Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof InvocationTargetException || cause instanceof UndeclaredThrowableException)
            && cause.getCause() != null) {
          cause = cause.getCause();
        }
        if (isChromiumsOwnError(cause)) {
          guard.replied(); // Chromium answered; a reply we made up (timeout, closed) is no activity
        }
        if (cause instanceof RuntimeException runtime) {
          RuntimeException translated = guard.translate(runtime);
          throw translated != null ? translated : runtime;
        }
        throw cause;
      }
      return TargetInfoScope.typed(guard, name, result);
    }

    /** An error reply Chromium sent, as opposed to one made up for a timeout or a closed page/pipe. */
    private static boolean isChromiumsOwnError(Throwable cause) {
      if (cause instanceof ChromeDevToolsInvocationException cdt) {
        return cdt.getCode() != null && !CdpJson.isMadeUp(cdt.getCode());
      }
      return false;
    }
  }
}
