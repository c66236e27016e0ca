using System.Text;
using System.Text.Json;
using NeighbourHub.Web.Transparency;
using Independent = NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.Transparency;

/// <summary>
/// The server's Merkle log (computed from stored subtree nodes) against the Certificate Transparency reference
/// vectors, and against the independent verifier in tools/ for every proof of trees up to 70 leaves: a mistake
/// shared by the log and the verifier would have to be in the published vectors too.
/// </summary>
public sealed class MerkleTreeTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "rfc6962-merkle.json"))).RootElement;

    private static List<byte[]> ReferenceLeafHashes() =>
        Vectors.GetProperty("leaves").EnumerateArray().Select(l => MerkleTree.LeafHash(Convert.FromHexString(l.GetString()!))).ToList();

    /// <summary>The complete subtrees a log would have stored for these leaves, as a node source.</summary>
    private static Func<long, byte[]> Stored(IReadOnlyList<byte[]> leafHashes)
    {
        var nodes = new Dictionary<long, byte[]>();
        for (long i = 0; i < leafHashes.Count; i++)
        {
            var hash = leafHashes[(int)i];
            foreach (var (level, index) in MerkleTree.CompletedBy(i))
            {
                if (level > 0)
                {
                    hash = MerkleTree.NodeHash(nodes[MerkleTree.NodeKey(level - 1, index * 2)], hash);
                }

                nodes[MerkleTree.NodeKey(level, index)] = hash;
            }
        }

        return key => nodes[key];
    }

    [Fact]
    public void Leaf_hashes_and_roots_match_the_reference_vectors()
    {
        var leaves = ReferenceLeafHashes();
        Assert.Equal(Vectors.GetProperty("leafHashes").EnumerateArray().Select(h => h.GetString()), leaves.Select(Convert.ToHexStringLower));
        foreach (var r in Vectors.GetProperty("roots").EnumerateArray())
        {
            var size = r.GetProperty("size").GetInt32();
            Assert.Equal(r.GetProperty("root").GetString(), Convert.ToHexStringLower(MerkleTree.Root(size, Stored(leaves.Take(size).ToList()))));
            Assert.Equal(r.GetProperty("root").GetString(), Convert.ToHexStringLower(TransparencyLogs.RootOf(leaves.Take(size).ToList())));
        }
    }

    [Fact]
    public void Inclusion_and_consistency_proofs_are_the_reference_ones_and_verify()
    {
        var leaves = ReferenceLeafHashes();
        var node = Stored(leaves);
        foreach (var p in Vectors.GetProperty("inclusion").EnumerateArray())
        {
            var (index, size) = (p.GetProperty("index").GetInt64(), p.GetProperty("size").GetInt64());
            var path = MerkleTree.InclusionPath(index, size, node);
            Assert.Equal(p.GetProperty("path").EnumerateArray().Select(h => h.GetString()), path.Select(Convert.ToHexStringLower));
            Assert.True(MerkleTree.VerifyInclusion(index, size, leaves[(int)index], path, MerkleTree.Root(size, node)));
        }

        foreach (var p in Vectors.GetProperty("consistency").EnumerateArray())
        {
            var (first, second) = (p.GetProperty("first").GetInt64(), p.GetProperty("second").GetInt64());
            var path = MerkleTree.ConsistencyPath(first, second, node);
            Assert.Equal(p.GetProperty("path").EnumerateArray().Select(h => h.GetString()), path.Select(Convert.ToHexStringLower));
            Assert.True(MerkleTree.VerifyConsistency(first, second, MerkleTree.Root(first, node), MerkleTree.Root(second, node), path));
        }
    }

    [Fact]
    public void Every_proof_up_to_70_leaves_agrees_with_the_independent_verifier()
    {
        var leaves = Enumerable.Range(0, 70).Select(i => MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"leaf {i}"))).ToList();
        var node = Stored(leaves);
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = MerkleTree.Root(size, node);
            Assert.Equal(Independent.MerkleTree.RootHash(leaves, size), root);
            for (var index = 0; index < size; index++)
            {
                var path = MerkleTree.InclusionPath(index, size, node);
                Assert.Equal(Independent.MerkleTree.InclusionPath(leaves, index, size), path);
                Assert.True(Independent.MerkleTree.VerifyInclusion(index, size, leaves[index], path, root));
            }

            for (var first = 1; first <= size; first++)
            {
                var path = MerkleTree.ConsistencyPath(first, size, node);
                Assert.Equal(Independent.MerkleTree.ConsistencyPath(leaves, first, size), path);
                Assert.True(Independent.MerkleTree.VerifyConsistency(first, size, MerkleTree.Root(first, node), root, path));
                Assert.True(MerkleTree.VerifyConsistency(first, size, MerkleTree.Root(first, node), root, path));
            }
        }
    }

    [Fact]
    public void A_changed_leaf_or_a_rewritten_history_fails_its_proofs()
    {
        var leaves = Enumerable.Range(0, 13).Select(i => MerkleTree.LeafHash(Encoding.UTF8.GetBytes($"entry {i}"))).ToList();
        var node = Stored(leaves);
        var oldRoot = MerkleTree.Root(9, node);
        var path = MerkleTree.InclusionPath(5, 13, node);
        var changed = MerkleTree.LeafHash("entry 5 (edited)"u8);
        Assert.False(MerkleTree.VerifyInclusion(5, 13, changed, path, MerkleTree.Root(13, node)));

        // Whoever runs the server rewrites entry 5 and rebuilds the whole tree: last month's head no longer fits.
        var rewritten = leaves.ToList();
        rewritten[5] = changed;
        var forged = Stored(rewritten);
        var proof = MerkleTree.ConsistencyPath(9, 13, forged);
        Assert.False(MerkleTree.VerifyConsistency(9, 13, oldRoot, MerkleTree.Root(13, forged), proof));
        Assert.False(Independent.MerkleTree.VerifyConsistency(9, 13, oldRoot, MerkleTree.Root(13, forged), proof));
    }

    [Fact]
    public void Appending_stores_each_complete_subtree_once()
    {
        Assert.Equal([(0, 0L)], MerkleTree.CompletedBy(0));
        Assert.Equal([(0, 1L), (1, 0L)], MerkleTree.CompletedBy(1));
        Assert.Equal([(0, 6L)], MerkleTree.CompletedBy(6));
        Assert.Equal([(0, 7L), (1, 3L), (2, 1L), (3, 0L)], MerkleTree.CompletedBy(7));
        Assert.Equal(2, MerkleTree.SplitPoint(3));
        Assert.Equal(4, MerkleTree.SplitPoint(8));
        Assert.Equal(1L << 40, MerkleTree.SplitPoint((1L << 40) + 1));
    }

    [Fact]
    public void A_proof_in_a_million_leaf_tree_reads_only_logarithmically_many_nodes()
    {
        var needed = MerkleTree.NeededNodes(node => MerkleTree.InclusionPath(765_432, 1_000_000, node));
        Assert.InRange(needed.Count, 1, 2 * 20);
        needed = MerkleTree.NeededNodes(node => MerkleTree.ConsistencyPath(654_321, 1_000_000, node));
        Assert.InRange(needed.Count, 1, 2 * 20);
    }
}
