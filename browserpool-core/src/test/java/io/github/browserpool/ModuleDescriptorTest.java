package io.github.browserpool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The module as a user on the module path sees it: only the root package is exported, and the module
 * resolves against the real dependency jars (cdt's name is derived from its file name, see
 * module-info.java). Tests run on the class path, so this test builds the module graph itself.
 */
class ModuleDescriptorTest {
  private static final String MODULE = "io.github.browserpool";

  @Test
  void onlyTheRootPackageIsExportedAndTheModuleResolvesOnAModulePath() {
    List<Path> path = new ArrayList<>();
    path.add(Path.of("target/classes"));
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p)) {
        path.add(p);
      }
    }
    ModuleFinder finder = ModuleFinder.of(path.stream()
        .filter(p -> !p.getFileName().toString().startsWith("junit") && isModular(p)).toArray(Path[]::new));
    ModuleDescriptor core = finder.find(MODULE).orElseThrow().descriptor();

    assertThat(core.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly(MODULE);
    assertThat(core.exports()).allMatch(e -> !e.isQualified());
    assertThat(core.opens()).isEmpty();
    assertThat(core.packages()).contains(MODULE + ".pool", MODULE + ".cdp", MODULE + ".chrome",
        MODULE + ".endpoint", MODULE + ".grid", MODULE + ".spi", MODULE + ".context", MODULE + ".local");

    Configuration cf = Configuration.resolve(finder, List.of(ModuleLayer.boot().configuration()),
        ModuleFinder.of(), Set.of(MODULE));
    Set<String> read = cf.findModule(MODULE).orElseThrow().reads().stream()
        .map(ResolvedModule::name).collect(Collectors.toSet());
    assertThat(read).contains("cdt.java.client", "org.slf4j", "com.fasterxml.jackson.databind", "io.netty.codec.http");
  }

  /** Jars that a module path can hold (a jar with a broken name or split packages would fail resolution). */
  private static boolean isModular(Path jar) {
    try {
      return jar.getFileName().toString().endsWith(".jar") ? ModuleFinder.of(jar).findAll().size() == 1 : true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
