using System.Text.Json;
using NeighbourHub.FundVerifier;

namespace NeighbourHub.UnitTests.FundVerifier;

/// <summary>
/// The verifier's RFC 9162 tree against the Certificate Transparency reference vectors in tests/vectors/rfc6962-merkle.json
/// (transparency-dev/merkle; see its "source" member), and every proof shape up to eight leaves.
/// </summary>
public sealed class MerkleVectorTests
{
    private static readonly Vectors Data = Vectors.Load();

    [Fact]
    public void The_vectors_file_names_its_source_and_holds_the_eight_reference_leaves()
    {
        Assert.Equal("417fb0c314750d94e53942e9f92e79b6d35915db", Data.Source.GetProperty("commit").GetString());
        Assert.Equal(["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"], Data.LeavesHex);
        Assert.Equal(Enumerable.Range(0, 9), Data.Roots.Select(r => r.Size));
    }

    [Fact]
    public void Leaf_hashes_and_the_root_of_every_prefix_match_the_reference()
    {
        var hashes = Data.Leaves.Select(l => MerkleTree.HashLeaf(l)).ToList();
        Assert.Equal(Data.LeafHashes, hashes.Select(Convert.ToHexStringLower));
        foreach (var (size, root) in Data.Roots)
        {
            Assert.Equal(root, Convert.ToHexStringLower(MerkleTree.RootHash(hashes, size)));
        }
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(MerkleTree.EmptyRoot()));
    }

    [Fact]
    public void Reference_inclusion_proofs_verify_and_are_what_the_verifier_would_build()
    {
        var hashes = Data.Leaves.Select(l => MerkleTree.HashLeaf(l)).ToList();
        Assert.NotEmpty(Data.Inclusion);
        foreach (var (index, size, path) in Data.Inclusion)
        {
            var root = Data.Root(size);
            Assert.True(MerkleTree.VerifyInclusion(index, size, hashes[index], path, root), $"leaf {index} of {size}");
            Assert.Equal(path.Select(Convert.ToHexStringLower), MerkleTree.InclusionPath(hashes, index, size).Select(Convert.ToHexStringLower));
        }
    }

    [Fact]
    public void Reference_consistency_proofs_verify_and_are_what_the_verifier_would_build()
    {
        var hashes = Data.Leaves.Select(l => MerkleTree.HashLeaf(l)).ToList();
        Assert.NotEmpty(Data.Consistency);
        foreach (var (first, second, path) in Data.Consistency)
        {
            Assert.True(MerkleTree.VerifyConsistency(first, second, Data.Root(first), Data.Root(second), path), $"{first} → {second}");
            Assert.Equal(path.Select(Convert.ToHexStringLower), MerkleTree.ConsistencyPath(hashes, first, second).Select(Convert.ToHexStringLower));
        }
    }

    [Fact]
    public void A_reference_proof_with_one_bit_flipped_a_wrong_index_or_size_or_a_path_cut_or_padded_fails()
    {
        var hashes = Data.Leaves.Select(l => MerkleTree.HashLeaf(l)).ToList();
        foreach (var (index, size, path) in Data.Inclusion)
        {
            var root = Data.Root(size);
            for (var i = 0; i < path.Count; i++)
            {
                Assert.False(MerkleTree.VerifyInclusion(index, size, hashes[index], FlipBit(path, i), root));
            }
            Assert.False(MerkleTree.VerifyInclusion(index ^ 1, size, hashes[index], path, root));
            Assert.False(MerkleTree.VerifyInclusion(index, size * 2, hashes[index], path, root));
            Assert.False(MerkleTree.VerifyInclusion(index, size, hashes[index], [.. path, root], root));
            Assert.False(MerkleTree.VerifyInclusion(index, size, MerkleTree.HashLeaf([0xFF]), path, root));
            if (path.Count > 0)
            {
                Assert.False(MerkleTree.VerifyInclusion(index, size, hashes[index], path.Take(path.Count - 1).ToList(), root));
            }
        }
        foreach (var (first, second, path) in Data.Consistency)
        {
            var (oldRoot, newRoot) = (Data.Root(first), Data.Root(second));
            for (var i = 0; i < path.Count; i++)
            {
                Assert.False(MerkleTree.VerifyConsistency(first, second, oldRoot, newRoot, FlipBit(path, i)));
            }
            Assert.False(MerkleTree.VerifyConsistency(first, second, oldRoot, newRoot, [.. path, newRoot]));
            if (first != second)
            {
                Assert.False(MerkleTree.VerifyConsistency(first, second, newRoot, oldRoot, path));
                Assert.False(MerkleTree.VerifyConsistency(second, first, newRoot, oldRoot, path));
            }
            if (path.Count > 0)
            {
                Assert.False(MerkleTree.VerifyConsistency(first, second, oldRoot, newRoot, path.Take(path.Count - 1).ToList()));
                Assert.False(MerkleTree.VerifyConsistency(first + 1, second, oldRoot, newRoot, path));
            }
        }
    }

    [Fact]
    public void Every_inclusion_and_consistency_proof_up_to_eight_leaves_verifies_and_only_against_its_own_roots()
    {
        var hashes = Data.Leaves.Select(l => MerkleTree.HashLeaf(l)).ToList();
        for (var n = 1; n <= 8; n++)
        {
            for (var i = 0; i < n; i++)
            {
                var path = MerkleTree.InclusionPath(hashes, i, n);
                Assert.True(MerkleTree.VerifyInclusion(i, n, hashes[i], path, Data.Root(n)), $"leaf {i} of {n}");
                for (var other = 0; other < n; other++)
                {
                    Assert.Equal(other == i, MerkleTree.VerifyInclusion(other, n, hashes[i], path, Data.Root(n)));
                }
            }
            for (var m = 0; m <= n; m++)
            {
                var path = MerkleTree.ConsistencyPath(hashes, m, n);
                Assert.True(MerkleTree.VerifyConsistency(m, n, Data.Root(m), Data.Root(n), path), $"{m} → {n}");
                if (m > 0)
                {
                    Assert.False(MerkleTree.VerifyConsistency(m, n, Data.Root(m - 1), Data.Root(n), path));
                }
                if (m > 0 && m < n) // the empty tree is a prefix of every tree: nothing to prove, no second root to bind
                {
                    Assert.False(MerkleTree.VerifyConsistency(m, n, Data.Root(m), Data.Root(n - 1), path));
                }
            }
        }
    }

    private static List<byte[]> FlipBit(IReadOnlyList<byte[]> path, int index)
    {
        var copy = path.Select(p => p.ToArray()).ToList();
        copy[index][7] ^= 0x10;
        return copy;
    }

    /// <summary>tests/vectors/rfc6962-merkle.json, copied next to the tests by the project file.</summary>
    private sealed record Vectors(
        JsonElement Source,
        IReadOnlyList<string> LeavesHex,
        IReadOnlyList<string> LeafHashes,
        IReadOnlyList<(int Size, string Root)> Roots,
        IReadOnlyList<(int Index, int Size, IReadOnlyList<byte[]> Path)> Inclusion,
        IReadOnlyList<(int First, int Second, IReadOnlyList<byte[]> Path)> Consistency)
    {
        public IReadOnlyList<byte[]> Leaves => LeavesHex.Select(Convert.FromHexString).ToList();

        public byte[] Root(int size) => Convert.FromHexString(Roots.Single(r => r.Size == size).Root);

        public static Vectors Load()
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "rfc6962-merkle.json")));
            var root = document.RootElement;
            static IReadOnlyList<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToList();
            static IReadOnlyList<byte[]> Hashes(JsonElement array) => array.EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
            return new Vectors(
                root.GetProperty("source").Clone(),
                Strings(root.GetProperty("leaves")),
                Strings(root.GetProperty("leafHashes")),
                root.GetProperty("roots").EnumerateArray().Select(r => (r.GetProperty("size").GetInt32(), r.GetProperty("root").GetString()!)).ToList(),
                root.GetProperty("inclusion").EnumerateArray()
                    .Select(p => (p.GetProperty("index").GetInt32(), p.GetProperty("size").GetInt32(), Hashes(p.GetProperty("path")))).ToList(),
                root.GetProperty("consistency").EnumerateArray()
                    .Select(p => (p.GetProperty("first").GetInt32(), p.GetProperty("second").GetInt32(), Hashes(p.GetProperty("path")))).ToList());
        }
    }
}
