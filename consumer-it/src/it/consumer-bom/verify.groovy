// Run by maven-invoker-plugin after the BOM consumer's build (variables: basedir and the plugin's scriptVariables).
def check = evaluate(new File(itDir, 'check.groovy'))
check.sameRuntime(new File(basedir, 'target/resolved-runtime.txt'), new File(testedRuntime))
return true
