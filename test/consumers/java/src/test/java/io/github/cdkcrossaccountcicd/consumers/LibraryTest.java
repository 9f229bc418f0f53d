package io.github.cdkcrossaccountcicd.consumers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;

import org.junit.jupiter.api.Test;

import software.amazon.jsii.JsiiEngine;
import software.amazon.jsii.JsiiModule;

/** The library jar from dist/java is on the classpath and its jsii assembly loads. */
class LibraryTest {
    private static final String MODULE_CLASS = "io.github.cdkcrossaccountcicd.$Module";

    private static String requiredProperty(final String name) {
        String value = System.getProperty(name);
        assertNotNull(value, name + " is not set (run the suite through run.sh)");
        return value;
    }

    private static String sha256(final Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        StringBuilder hex = new StringBuilder();
        for (byte b : digest.digest(Files.readAllBytes(file))) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    @Test
    void moduleClassIsAJsiiModule() throws Exception {
        Class<?> moduleClass = Class.forName(MODULE_CLASS);
        assertTrue(JsiiModule.class.isAssignableFrom(moduleClass), moduleClass + " is not a JsiiModule");
    }

    @Test
    void jarOnTheClasspathIsTheOneInDist() throws Exception {
        Class<?> moduleClass = Class.forName(MODULE_CLASS);
        URL location = moduleClass.getProtectionDomain().getCodeSource().getLocation();
        Path onClasspath = Paths.get(location.toURI());
        Path inDist = Paths.get(requiredProperty("library.jar"));
        assertEquals(sha256(inDist), sha256(onClasspath),
                onClasspath + " differs from " + inDist + " (stale copy in the local Maven repository?)");
    }

    @Test
    void assemblyLoadsThroughJsii() throws Exception {
        @SuppressWarnings("unchecked")
        Class<? extends JsiiModule> moduleClass =
                (Class<? extends JsiiModule>) Class.forName(MODULE_CLASS);
        JsiiModule module = moduleClass.getDeclaredConstructor().newInstance();
        assertEquals("cdk-cross-account-cicd", module.getModuleName());
        assertEquals(requiredProperty("library.version"), module.getModuleVersion());

        try (InputStream bundle = moduleClass.getResourceAsStream(module.getBundleResourceName())) {
            assertNotNull(bundle, "the jsii bundle " + module.getBundleResourceName() + " is missing from the jar");
        }
        // Sends the assembly (and its dependencies') to the jsii kernel; throws if it cannot load.
        JsiiEngine.getInstance().loadModule(moduleClass);
    }
}
