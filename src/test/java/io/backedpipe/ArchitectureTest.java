package io.backedpipe;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of the project: who may depend on whom, and no locks on the byte path. */
class ArchitectureTest {
  private static final String[] LOCK_FREE = {
    "io.backedpipe.pipe..", "io.backedpipe.buffer..", "io.backedpipe.wire..",
    "io.backedpipe.transport..", "io.backedpipe.server..", "io.backedpipe.cluster..",
    "io.backedpipe.tunnel.."
  };
  /** The packages of the library jar, the installed artifact. */
  private static final String[] LIBRARY = {
    "io.backedpipe", "io.backedpipe.buffer..", "io.backedpipe.pipe..", "io.backedpipe.server..",
    "io.backedpipe.transport..", "io.backedpipe.tunnel..", "io.backedpipe.wire..",
    "io.backedpipe.testing..", "io.backedpipe.chaos..", "io.backedpipe.cluster.."
  };
  /** The packages only the runnable tool carries (pom.xml keeps them out of the library jar). */
  private static final List<String> TOOL = List.of("cli", "bench", "hostile");
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.backedpipe");
  }

  @Test
  void shouldUseNoLocksOrAtomicsInThePipe() {
    noClasses().that().resideInAnyPackage(LOCK_FREE)
        .should().dependOnClassesThat()
        .resideInAnyPackage("java.util.concurrent.locks..", "java.util.concurrent.atomic..")
        .check(classes);
  }

  @Test
  void shouldDeclareNoVolatileFieldsInThePipe() {
    fields().that().areDeclaredInClassesThat().resideInAnyPackage(LOCK_FREE)
        .should().notHaveModifier(JavaModifier.VOLATILE)
        .check(classes);
  }

  @Test
  void shouldWriteNoSynchronizedOrSleepInMainCode() throws IOException {
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
          .filter(ArchitectureTest::hasBlockingConstruct)
          .map(Path::toString)
          .collect(Collectors.toList());
      assertEquals(List.of(), offenders);
    }
  }

  private static boolean hasBlockingConstruct(Path file) {
    try {
      String text = Files.readString(file);
      // A stage's own timer (TimerGraphStageLogic.scheduleOnce) is fine; the system scheduler is not.
      // The sleep call is spelled in two parts so that this file does not match its own search.
      return text.contains("synchronized") || text.contains("Thread." + "sleep")
          || text.contains("scheduler().scheduleOnce");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file, e);
    }
  }

  @Test
  void shouldKeepTheBufferFreeOfActorsStreamsAndTheRestOfTheProject() {
    noClasses().that().resideInAPackage("io.backedpipe.buffer..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("io.backedpipe", "io.backedpipe.pipe..", "io.backedpipe.wire..",
            "io.backedpipe.testing..", "org.apache.pekko.actor..", "org.apache.pekko.stream..")
        .check(classes);
  }

  @Test
  void shouldKeepTheWireFreeOfActors() {
    noClasses().that().resideInAPackage("io.backedpipe.wire..")
        .should().dependOnClassesThat()
        .resideInAnyPackage("org.apache.pekko.actor..", "io.backedpipe.pipe..",
            "io.backedpipe.testing..")
        .check(classes);
  }

  @Test
  void shouldNeverDependOnTheTestingKitFromTheLibrary() {
    // Only the tool (cli) may use the kit: its demo runs pipes over in-memory links.
    noClasses().that().resideOutsideOfPackages("io.backedpipe.testing..", "io.backedpipe.cli..")
        .should().dependOnClassesThat().resideInAPackage("io.backedpipe.testing..")
        .check(classes);
  }

  @Test
  void shouldKeepTheLibraryFreeOfTheToolAndItsDependencies() {
    // logback-classic and picocli are optional dependencies and the testkit is test scope: an
    // application that depends on the library does not have them.
    noClasses().that().resideInAnyPackage(LIBRARY)
        .should().dependOnClassesThat()
        .resideInAnyPackage("io.backedpipe.cli..", "io.backedpipe.bench..",
            "io.backedpipe.hostile..", "picocli..", "ch.qos.logback..",
            "org.apache.pekko.actor.testkit..")
        .check(classes);
  }

  @Test
  void shouldKeepPekkoClusterInTheClusterPackage() {
    // pekko-cluster-sharding-typed is an optional dependency: an application without it must be
    // able to load every other class of the library. Only the tunnel's server end may use the
    // cluster package, in ServeTunnel.startClustered, which is loaded only when called (checked by
    // hand with the cluster jars off the classpath).
    noClasses().that().resideInAnyPackage(LIBRARY).and().resideOutsideOfPackage(
            "io.backedpipe.cluster..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.pekko.cluster..",
            "org.apache.pekko.remote..")
        .check(classes);
    noClasses().that().resideInAnyPackage(LIBRARY).and().resideOutsideOfPackages(
            "io.backedpipe.cluster..", "io.backedpipe.tunnel..")
        .should().dependOnClassesThat().resideInAPackage("io.backedpipe.cluster..")
        .check(classes);
  }

  @Test
  void shouldPackEveryPackageIntoTheLibraryOrTheTool() throws IOException {
    List<String> unknown = classes.stream().map(c -> c.getPackageName())
        .filter(p -> !p.equals("io.backedpipe"))
        .map(p -> p.substring("io.backedpipe.".length()).split("\\.")[0])
        .distinct()
        .filter(p -> !TOOL.contains(p) && !List.of(LIBRARY).contains("io.backedpipe." + p + ".."))
        .collect(Collectors.toList());
    assertEquals(List.of(), unknown, "a new package: add it to LIBRARY or TOOL (and pom.xml)");
    String pom = Files.readString(Path.of("pom.xml"));
    for (String tool : TOOL) {
      String path = "io/backedpipe/" + tool + "/**";
      assertTrue(pom.contains("<exclude>" + path + "</exclude>")
          && pom.contains("<include>" + path + "</include>"),
          "pom.xml keeps " + path + " out of the library jar and in the tool's classes");
    }
  }

  @Test
  void shouldKeepAskPatternOutOfTheActors() {
    noClasses().that().resideInAPackage("io.backedpipe.pipe..")
        .should().dependOnClassesThat()
        .haveFullyQualifiedName("org.apache.pekko.actor.typed.javadsl.AskPattern")
        .check(classes);
    assertTrue(classes.contain("io.backedpipe.pipe.PipeSupervisor"));
  }
}
