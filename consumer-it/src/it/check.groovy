// Shared by the consumers' verify.groovy: compares two `dependency:list` outputs (groupId:artifactId:type[:classifier]:version,
// scope left out) and fails with the difference.
class RuntimeCheck
{
    static Set<String> artifacts(File listing)
    {
        assert listing.isFile() : "no dependency list ${listing}"
        def set = new TreeSet<String>()
        listing.eachLine { raw ->
            def line = raw.trim()
            if (line ==~ /^[\w.\-]+:[\w.\-]+:\S+$/ || line ==~ /^[\w.\-]+:[\w.\-]+:\S+ -- .*$/)
            {
                def coords = line.split(' -- ')[0].trim().split(':') as List
                set.add(coords.subList(0, coords.size() - 1).join(':'))
            }
        }
        assert !set.isEmpty() : "no artifacts listed in ${listing}"
        return set
    }

    static void sameRuntime(File resolved, File tested)
    {
        def got = artifacts(resolved)
        def want = artifacts(tested)
        assert got.any { it.startsWith('net.openhft:chronicle-core:') } : "no chronicle-core in ${resolved}"
        assert !want.any { it.startsWith('net.openhft:chronicle-analytics:') } : "the build resolves chronicle-analytics: ${tested}"
        assert !got.any { it.startsWith('net.openhft:chronicle-analytics:') } : "chronicle-analytics reaches the consumer: ${resolved}"
        assert got == want : "the consumer resolves other versions than the build tests with\n" +
            "only in the consumer: ${got - want}\nonly in the build:    ${want - got}\n(${resolved} vs ${tested})"
    }
}
return RuntimeCheck
