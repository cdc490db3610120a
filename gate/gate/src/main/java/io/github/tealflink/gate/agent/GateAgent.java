package io.github.tealflink.gate.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The Java agent ({@code -javaagent:teal-bluegreen-gate.jar} in {@code env.java.opts.jobmanager}): adds one call at
 * the start of {@code StreamGraphGenerator.generate()} — {@code AgentHook.beforeGenerate(this)} — so that every
 * stream graph, whether built by {@code env.execute()}, {@code executeAsync}, or the table planner for SQL, passes
 * through the gate injector. The rewrite uses ASM relocated into this jar, so it cannot clash with any ASM on the
 * classpath.
 */
public final class GateAgent {
    private GateAgent() {}

    static final String TARGET = "org/apache/flink/streaming/api/graph/StreamGraphGenerator";
    static final String HOOK = "io/github/tealflink/gate/agent/AgentHook";

    /** Agent entry point at JVM start. */
    public static void premain(String args, Instrumentation inst) {
        install(inst);
    }

    /** Agent entry point when attached to a running JVM. */
    public static void agentmain(String args, Instrumentation inst) throws Exception {
        install(inst);
        for (Class<?> c : inst.getAllLoadedClasses()) {
            if (c.getName().equals(TARGET.replace('/', '.'))) {
                inst.retransformClasses(c);
            }
        }
    }

    private static void install(Instrumentation inst) {
        inst.addTransformer(new Transformer(), true);
    }

    /** Rewrites StreamGraphGenerator when it is loaded. */
    static final class Transformer implements ClassFileTransformer {
        @Override
        public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                ProtectionDomain domain, byte[] bytes) {
            if (!TARGET.equals(className)) {
                return null;
            }
            try {
                return instrument(bytes);
            } catch (Throwable t) {
                System.err.println("[teal-gate] cannot instrument " + className + ": " + t + "; no gate will be injected");
                return null;
            }
        }
    }

    /** Returns {@code classBytes} of StreamGraphGenerator with the hook call added to {@code generate()}. */
    static byte[] instrument(byte[] classBytes) {
        ClassReader reader = new ClassReader(classBytes);
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] exceptions) {
                MethodVisitor mv = super.visitMethod(access, name, desc, sig, exceptions);
                if (!name.equals("generate") || !desc.equals("()Lorg/apache/flink/streaming/api/graph/StreamGraph;")) {
                    return mv;
                }
                found[0] = true;
                return new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitCode() {
                        super.visitCode();
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, HOOK, "beforeGenerate", "(Ljava/lang/Object;)V", false);
                    }
                };
            }
        }, 0);
        if (!found[0]) {
            throw new IllegalStateException("StreamGraphGenerator has no generate() returning StreamGraph");
        }
        return writer.toByteArray();
    }
}
