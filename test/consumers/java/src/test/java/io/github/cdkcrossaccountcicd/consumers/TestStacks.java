package io.github.cdkcrossaccountcicd.consumers;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;

/** Shared fixtures: every test starts from a fresh App and an environment-bound Stack. */
final class TestStacks {
    static final String ACCOUNT = "111111111111";
    static final String REGION = "eu-west-1";

    private TestStacks() {
    }

    static Environment environment() {
        return Environment.builder().account(ACCOUNT).region(REGION).build();
    }

    static Stack newStack() {
        return newStack(new App());
    }

    static Stack newStack(final App app) {
        return new Stack(app, "Test", StackProps.builder().env(environment()).build());
    }
}
