package io.github.browserpool;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.LocationProvider;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The arrows between core's packages, checked on its compiled main classes (README, "Layout"; each
 * package-info.java says the same in words). One line per package: what it may use of the others, and
 * why. A package that has no line fails {@link #everyPackageOfCoreHasALine}, so adding a package is
 * adding its line. Anything outside core (the JDK, cdt, Jackson, Netty, SLF4J) is not checked here.
 */
@AnalyzeClasses(locations = LayeringTest.CoreMainClasses.class)
class LayeringTest {
  private static final String CORE = "io.github.browserpool";
  private static final List<String> PACKAGES = new ArrayList<>();

  @ArchTest
  static final ArchRule root = layer("", "the front door starts and drives the engine, and the engine alone,"
      + " over the launcher of the kind of browser the config asks for: it names each kind's BrowserKind once"
      + " (BrowserKinds) and nothing else of them; SessionStore's factories return the built-in stores",
      pkg("pool"), pkg("spi"), kinds(), pkg("session"));
  @ArchTest
  static final ArchRule pool = layer("pool", "the engine reports in the public types (config, exceptions, stats,"
      + " listener, ticker) and drives browsers through the SPI, whatever their kind, speaking CDP to a lease's"
      + " pages and serving its endpoint; it loads, checks and saves keyed sessions' states",
      rootTypes(), pkg("spi"), pkg("cdp"), pkg("endpoint"), pkg("session"));
  @ArchTest
  static final ArchRule spi = layer("spi", "the launcher SPI is what the engine asks of a kind of browser: it speaks"
      + " in the public types (config, close reasons, exceptions) and hands over CDP connections and sessions;"
      + " a lease context restores a validated state", rootTypes(), pkg("cdp"), pkg("session"));
  @ArchTest
  static final ArchRule context = layer("context", "the lease contexts every CDP-speaking kind shares are made over"
      + " the CDP transport and handed over through the SPI; how many a browser prepares is a capacity rule, decided"
      + " with the others in the engine's Capacity; a lease context collects and restores a session's state",
      rootTypes(), pkg("spi"), pkg("cdp"), type("pool.Capacity"), pkg("session"));
  @ArchTest
  static final ArchRule local = layer("local", "a local Chromium is a browser of the SPI made of a process of"
      + " chrome spoken to over its pipe with the shared lease contexts; it reads the config and reports in the"
      + " public types (local/package-info.java)", rootTypes(), pkg("spi"), pkg("context"), pkg("cdp"), pkg("chrome"));
  @ArchTest
  static final ArchRule grid = layer("grid", "a Grid session is a browser of the SPI spoken to over CDP with the"
      + " shared lease contexts,"
      + " launched with the Chromium flags both kinds share; it reads the config and reports in the public types"
      + " (grid/package-info.java)",
      rootTypes(), pkg("spi"), pkg("context"),
      pkg("cdp"), type("chrome.ChromeFlags"));
  @ArchTest
  static final ArchRule endpoint = layer("endpoint", "the endpoint is a transport: it relays a lease's client over"
      + " the pipe and knows the lease only through its own LeaseScope, which the engine implements; it catches"
      + " the cdp layer's failures, which are the public exceptions",
      pkg("cdp"), rootExceptions());
  @ArchTest
  static final ArchRule cdp = layer("cdp", "users catch one exception root, CDP failures included, and"
      + " RawSessionPage is the public RawPage; the module exports only the root package",
      type("RawPage"), rootExceptions());
  @ArchTest
  static final ArchRule session = layer("session", "a session's state and the built-in stores know no browser: they"
      + " implement the public SessionStore and report a bad state with the public SessionStateException",
      type("SessionStore"), type("SessionStateException"), rootExceptions());
  @ArchTest
  static final ArchRule chrome = layer("chrome", "a launch failure thrown here is already the public exception,"
      + " and every close carries the one reason enum that stats, listeners and logs use",
      type("CloseReason"), type("BrowserLaunchException"));

  /**
   * Arrows that break the table today, each with the work that removes it. They are the only exceptions,
   * pair by pair; {@link #everyKnownBreakStillHappens} fails once one is gone, so that its line goes too.
   */
  private static final List<Known> KNOWN = List.of();

  @ArchTest
  static void everyPackageOfCoreHasALine(JavaClasses core) {
    Set<String> packages = core.stream().map(JavaClass::getPackageName).collect(Collectors.toCollection(TreeSet::new));
    assertThat(PACKAGES).as("packages with a line in LayeringTest").containsAll(packages);
    assertThat(packages).as("core's packages (the import saw core's classes)").contains(CORE, CORE + ".pool");
  }

  @ArchTest
  static void everyKnownBreakStillHappens(JavaClasses core) {
    for (Known k : KNOWN) {
      assertThat(core.stream().flatMap(c -> c.getDirectDependenciesFromSelf().stream()).anyMatch(k::covers))
          .as("%s -> %s no longer happens: remove it from KNOWN", k.origin, k.target).isTrue();
    }
  }

  /** The rule of one package: its classes use, of core, only their own package and {@code may}. */
  @SafeVarargs
  private static ArchRule layer(String name, String why, Predicate<JavaClass>... may) {
    String pkg = qualified(name);
    PACKAGES.add(pkg);
    List<Predicate<JavaClass>> allowed = Arrays.asList(may);
    return classes().that().resideInAPackage(pkg)
        .should(new ArchCondition<JavaClass>("use, of core, only their own package and what their line allows") {
          @Override
          public void check(JavaClass origin, ConditionEvents events) {
            for (Dependency d : origin.getDirectDependenciesFromSelf()) {
              JavaClass target = d.getTargetClass().getBaseComponentType();
              boolean ok = !target.getPackageName().startsWith(CORE) || target.getPackageName().equals(pkg)
                  || allowed.stream().anyMatch(a -> a.test(target)) || KNOWN.stream().anyMatch(k -> k.covers(d));
              if (!ok) {
                events.add(SimpleConditionEvent.violated(d, d.getDescription()));
              }
            }
          }
        })
        .because(why);
  }

  /** Every class of a package of core ({@code ""} is the root). */
  private static Predicate<JavaClass> pkg(String name) {
    String pkg = qualified(name);
    return c -> c.getPackageName().equals(pkg);
  }

  /** One class of core and its nested classes, named relative to the root ({@code "chrome.ChromeFlags"}). */
  private static Predicate<JavaClass> type(String name) {
    String type = CORE + "." + name;
    return c -> c.getName().equals(type) || c.getName().startsWith(type + "$");
  }

  /** The public root package less its front door (BrowserPool, BrowserLease, CleanerAction), which sits above the engine. */
  private static Predicate<JavaClass> rootTypes() {
    Predicate<JavaClass> frontDoor = type("BrowserPool").or(type("BrowserLease")).or(type("CleanerAction"));
    return pkg("").and(frontDoor.negate());
  }

  /** Each kind's entry point: a class of core that implements the SPI's BrowserKind. */
  private static Predicate<JavaClass> kinds() {
    return c -> c.isAssignableTo(CORE + ".spi.BrowserKind");
  }

  /** The public exceptions: BrowserPoolException and its subclasses. */
  private static Predicate<JavaClass> rootExceptions() {
    return pkg("").and(c -> c.isAssignableTo(BrowserPoolException.class));
  }

  private static String qualified(String name) {
    return name.isEmpty() ? CORE : CORE + "." + name;
  }

  /** One arrow that breaks the table today, between two top-level classes named relative to the root. */
  private record Known(String origin, String target, String why) {
    boolean covers(Dependency d) {
      return type(origin).test(d.getOriginClass()) && type(target).test(d.getTargetClass().getBaseComponentType());
    }
  }

  /**
   * Where core's main classes are, and nothing else: not its tests, nor browserpool-test's
   * io.github.browserpool.test, nor the jars on the class path (scanning those took seconds).
   */
  public static final class CoreMainClasses implements LocationProvider {
    @Override
    public Set<Location> get(Class<?> testClass) {
      try {
        return Set.of(Location.of(BrowserPool.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
      } catch (URISyntaxException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
