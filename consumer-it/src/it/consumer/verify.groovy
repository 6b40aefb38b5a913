// Run by maven-invoker-plugin after the consumer's build (variables: basedir and the plugin's scriptVariables).
def check = evaluate(new File(itDir, 'check.groovy'))
check.sameRuntime(new File(basedir, 'target/resolved-runtime.txt'), new File(testedRuntime))

def log = new File(basedir, 'build.log').text
assert log.contains('ENGRAM-APP OK version=1 recovered=1') : 'the program (exec:exec) did not open, commit, read and reopen'
def coreJar = "chronicle-core-${chronicleCoreVersion}.jar"
assert log =~ /ENGRAM-APP chronicle-core from \S+\/${java.util.regex.Pattern.quote(coreJar)}/ : "the program did not run on ${coreJar}"
def report = new File(basedir, 'target/surefire-reports/TEST-com.example.AppTest.xml')
assert report.isFile() : "no surefire report ${report}"
def suite = (report.text =~ /<testsuite [^>]*/)[0]
['tests="1"', 'failures="0"', 'errors="0"', 'skipped="0"'].each { assert suite.contains(it) : "AppTest under surefire: ${suite}" }

// the flags the consumer spells out (as docs/embedding.md tells) are the parent pom's
def pomFlags = (new File(basedir, 'pom.xml').text =~ /<engram\.jvmFlags>([^<]*)<\/engram\.jvmFlags>/)[0][1]
def expected = expectedFlags.trim().split(/\s+/) as List
assert (pomFlags.trim().split(/\s+/) as List) == expected : "consumer pom flags differ from the parent pom: ${pomFlags} vs ${expected}"
def guide = new File(docsDir, 'embedding.md').text
assert guide.contains(expected.join(' ')) : 'docs/embedding.md must give the flags of the parent pom on one line'
assert guide.contains("Add-Opens: ${addOpens}") && guide.contains("Add-Exports: ${addExports}") : 'docs/embedding.md manifest entries'
def readme = new File(readme).text
assert readme.contains('<artifactId>engram-engine</artifactId>') && readme.contains('docs/embedding.md') : 'README coordinates'
return true
