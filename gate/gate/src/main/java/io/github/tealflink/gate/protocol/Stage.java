package io.github.tealflink.gate.protocol;

/** The values of the ConfigMap's {@code stage} key. */
public enum Stage {
    /** The operator is deploying a child; a cut-over may follow. */
    INITIALIZING,
    /** Both children run: the outgoing gate computes W and the cut-over happens at W. */
    TRANSITIONING,
    /** One child runs, no cut-over in progress. */
    RUNNING,
    /** The running child's job is failing. */
    FAILING,
    /** Written by the outgoing gates: every record before W has been emitted; the outgoing child may go. */
    CLEAR_TO_TEARDOWN
}
