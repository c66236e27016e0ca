using System.Security.Cryptography;

namespace NeighbourHub.Web.Transparency;

/// <summary>
/// The Merkle Tree Hash of RFC 9162 §2.1 and its proofs, written against "the hash of a complete, aligned
/// subtree" so that a log of a million leaves answers from the O(log n) nodes it has stored instead of
/// rehashing every leaf.
/// <para>
/// Every subtree the RFC's recursion visits is either complete and aligned — 2^level leaves starting at a
/// multiple of 2^level, which <see cref="NodeKey"/> numbers and the log stores once it is complete — or is split
/// further at the largest power of two below its size. So a proof is computed in two passes: one that only
/// records which stored nodes it needs (<see cref="NeededNodes"/>), one that reads them from a dictionary.
/// </para>
/// </summary>
public static class MerkleTree
{
    /// <summary>The root of the empty tree: SHA-256 of nothing.</summary>
    public static readonly byte[] EmptyRoot = SHA256.HashData([]);

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public static byte[] LeafHash(ReadOnlySpan<byte> leaf)
    {
        var input = new byte[leaf.Length + 1];
        leaf.CopyTo(input.AsSpan(1));
        return SHA256.HashData(input);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[65];
        input[0] = 1;
        left.CopyTo(input[1..]);
        right.CopyTo(input[33..]);
        return SHA256.HashData(input);
    }

    /// <summary>One number per complete aligned subtree: 2^level leaves starting at index × 2^level.</summary>
    public static long NodeKey(int level, long index) => (index << 6) | (uint)level;

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2): RFC 9162's split point k.</summary>
    public static long SplitPoint(long n) => 1L << (int)(63 - long.LeadingZeroCount(n - 1));

    /// <summary>The stored nodes that complete when leaf <paramref name="index"/> is appended, lowest first (level 0 is the leaf itself).</summary>
    public static IEnumerable<(int Level, long Index)> CompletedBy(long index)
    {
        var level = 0;
        while (true)
        {
            yield return (level, index >> level);
            level++;
            if (level > 62 || ((index + 1) & ((1L << level) - 1)) != 0)
            {
                yield break;
            }
        }
    }

    /// <summary>MTH(D[0:size]).</summary>
    public static byte[] Root(long size, Func<long, byte[]> node) => size == 0 ? EmptyRoot : Subtree(0, size, node);

    /// <summary>PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf-side sibling first.</summary>
    public static List<byte[]> InclusionPath(long index, long size, Func<long, byte[]> node)
    {
        if (index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"leaf {index} is not in a tree of {size}");
        }

        var path = new List<byte[]>();
        Path(index, 0, size, node, path);
        return path;
    }

    /// <summary>PROOF(first, D[0:second]) of RFC 9162 §2.1.4.1; empty when first is 0 or equals second.</summary>
    public static List<byte[]> ConsistencyPath(long first, long second, Func<long, byte[]> node)
    {
        if (first < 0 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), $"no consistency proof from {first} to {second}");
        }

        var path = new List<byte[]>();
        if (first > 0 && first < second)
        {
            SubProof(first, 0, second, true, node, path);
        }

        return path;
    }

    /// <summary>Runs <paramref name="compute"/> once without hashes to learn which stored nodes it reads.</summary>
    public static HashSet<long> NeededNodes(Action<Func<long, byte[]>> compute)
    {
        var keys = new HashSet<long>();
        var placeholder = new byte[32];
        compute(key =>
        {
            keys.Add(key);
            return placeholder;
        });
        return keys;
    }

    private static byte[] Subtree(long start, long end, Func<long, byte[]> node)
    {
        var size = end - start;
        if (long.IsPow2(size))
        {
            var level = (int)long.Log2(size);
            return node(NodeKey(level, start >> level));
        }

        var k = SplitPoint(size);
        return NodeHash(Subtree(start, start + k, node), Subtree(start + k, end, node));
    }

    private static void Path(long m, long start, long end, Func<long, byte[]> node, List<byte[]> path)
    {
        var n = end - start;
        if (n == 1)
        {
            return;
        }

        var k = SplitPoint(n);
        if (m < k)
        {
            Path(m, start, start + k, node, path);
            path.Add(Subtree(start + k, end, node));
        }
        else
        {
            Path(m - k, start + k, end, node, path);
            path.Add(Subtree(start, start + k, node));
        }
    }

    private static void SubProof(long m, long start, long end, bool whole, Func<long, byte[]> node, List<byte[]> path)
    {
        var n = end - start;
        if (m == n)
        {
            if (!whole)
            {
                path.Add(Subtree(start, end, node));
            }

            return;
        }

        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, whole, node, path);
            path.Add(Subtree(start + k, end, node));
        }
        else
        {
            SubProof(m - k, start + k, end, false, node, path);
            path.Add(Subtree(start, start + k, node));
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="path"/> lead from the leaf hash to <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> path, ReadOnlySpan<byte> root)
    {
        if (index < 0 || index >= size)
        {
            return false;
        }

        long fn = index, sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = NodeHash(p, r);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                r = NodeHash(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && r.AsSpan().SequenceEqual(root);
    }

    /// <summary>RFC 9162 §2.1.4.2: does <paramref name="path"/> prove the tree of size second extends the one of size first?</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> path)
    {
        if (first < 0 || first > second)
        {
            return false;
        }

        if (first == second)
        {
            return path.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (first == 0)
        {
            return path.Count == 0;
        }

        if (path.Count == 0)
        {
            return false;
        }

        var proof = new List<byte[]>(path);
        if (long.IsPow2(first))
        {
            proof.Insert(0, firstRoot.ToArray());
        }

        long fn = first - 1, sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = proof[0];
        var sr = proof[0];
        foreach (var c in proof.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = NodeHash(c, fr);
                sr = NodeHash(c, sr);
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                sr = NodeHash(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && fr.AsSpan().SequenceEqual(firstRoot) && sr.AsSpan().SequenceEqual(secondRoot);
    }
}
