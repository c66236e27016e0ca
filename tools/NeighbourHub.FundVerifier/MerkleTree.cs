using System.Security.Cryptography;

namespace NeighbourHub.FundVerifier;

/// <summary>
/// The Merkle tree of RFC 9162 §2.1 over SHA-256, written from the RFC text: leaf hash SHA-256(0x00 ‖ leaf),
/// node hash SHA-256(0x01 ‖ left ‖ right), the empty tree SHA-256 of nothing.
/// </summary>
public static class MerkleTree
{
    public const int HashSize = 32;

    /// <summary>MTH({}) = SHA-256() — the root of the empty tree.</summary>
    public static byte[] EmptyRoot() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>MTH({d}) = SHA-256(0x00 ‖ d).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var buffer = new byte[1 + leaf.Length];
        buffer[0] = 0x00;
        leaf.CopyTo(buffer.AsSpan(1));
        return SHA256.HashData(buffer);
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        var buffer = new byte[1 + left.Length + right.Length];
        buffer[0] = 0x01;
        left.CopyTo(buffer.AsSpan(1));
        right.CopyTo(buffer.AsSpan(1 + left.Length));
        return SHA256.HashData(buffer);
    }

    /// <summary>The Merkle Tree Hash (RFC 9162 §2.1.1) of all the given leaf hashes.</summary>
    public static byte[] RootHash(IReadOnlyList<byte[]> leafHashes) => RootHash(leafHashes, leafHashes.Count);

    /// <summary>The Merkle Tree Hash of the first <paramref name="size"/> leaf hashes.</summary>
    public static byte[] RootHash(IReadOnlyList<byte[]> leafHashes, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leafHashes.Count);
        return size == 0 ? EmptyRoot() : Subtree(leafHashes, 0, size);
    }

    /// <summary>PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public static IReadOnlyList<byte[]> InclusionPath(IReadOnlyList<byte[]> leafHashes, int index, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, leafHashes.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, size);
        var path = new List<byte[]>();
        Path(leafHashes, 0, size, index, path);
        return path;
    }

    /// <summary>PROOF(m, D[n]) of RFC 9162 §2.1.4.1: proves the tree of <paramref name="first"/> leaves is a prefix of the tree of <paramref name="second"/> leaves.</summary>
    public static IReadOnlyList<byte[]> ConsistencyPath(IReadOnlyList<byte[]> leafHashes, int first, int second)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(second, leafHashes.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(first, second);
        var path = new List<byte[]>();
        if (first > 0 && first < second)
        {
            SubProof(leafHashes, 0, second, first, true, path);
        }
        return path;
    }

    /// <summary>
    /// RFC 9162 §2.1.3.2: does <paramref name="path"/> prove the leaf hash sits at <paramref name="index"/> in the tree
    /// of <paramref name="treeSize"/> leaves whose root is <paramref name="root"/>?
    /// </summary>
    public static bool VerifyInclusion(long index, long treeSize, byte[] leafHash, IReadOnlyList<byte[]> path, byte[] root)
    {
        if (index < 0 || treeSize <= 0 || index >= treeSize || !AllHashes(path) || leafHash.Length != HashSize || root.Length != HashSize)
        {
            return false;
        }
        var fn = (ulong)index;
        var sn = (ulong)treeSize - 1;
        var r = leafHash;
        foreach (var p in path)
        {
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                r = HashChildren(p, r);
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
                r = HashChildren(r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>
    /// RFC 9162 §2.1.4.2: does <paramref name="path"/> prove the tree of <paramref name="first"/> leaves with root
    /// <paramref name="firstRoot"/> is a prefix of the tree of <paramref name="second"/> leaves with root <paramref name="secondRoot"/>?
    /// Equal sizes need an empty path and equal roots; the empty tree is a prefix of every tree (empty path).
    /// </summary>
    public static bool VerifyConsistency(long first, long second, byte[] firstRoot, byte[] secondRoot, IReadOnlyList<byte[]> path)
    {
        if (first < 0 || first > second || !AllHashes(path) || firstRoot.Length != HashSize || secondRoot.Length != HashSize)
        {
            return false;
        }
        if (first == second)
        {
            return path.Count == 0 && CryptographicOperations.FixedTimeEquals(firstRoot, secondRoot);
        }
        if (first == 0)
        {
            return path.Count == 0 && CryptographicOperations.FixedTimeEquals(firstRoot, EmptyRoot());
        }
        // 1. An empty consistency_path fails.
        if (path.Count == 0)
        {
            return false;
        }
        // 2. If first is an exact power of 2, prepend first_hash.
        var proof = new List<byte[]>(path.Count + 1);
        if ((first & (first - 1)) == 0)
        {
            proof.Add(firstRoot);
        }
        proof.AddRange(path);
        // 3.-4.
        var fn = (ulong)first - 1;
        var sn = (ulong)second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        // 5.
        var fr = proof[0];
        var sr = proof[0];
        // 6.
        for (var i = 1; i < proof.Count; i++)
        {
            var c = proof[i];
            if (sn == 0)
            {
                return false;
            }
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = HashChildren(c, fr);
                sr = HashChildren(c, sr);
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
                sr = HashChildren(sr, c);
            }
            fn >>= 1;
            sn >>= 1;
        }
        // 7.
        return sn == 0
            && CryptographicOperations.FixedTimeEquals(fr, firstRoot)
            && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }

    private static bool AllHashes(IReadOnlyList<byte[]> path) => path.All(p => p is { Length: HashSize });

    /// <summary>The largest power of two smaller than n (n ≥ 2).</summary>
    private static int Split(int n)
    {
        var k = 1;
        while (k << 1 < n)
        {
            k <<= 1;
        }
        return k;
    }

    private static byte[] Subtree(IReadOnlyList<byte[]> leafHashes, int start, int n)
    {
        if (n == 1)
        {
            return leafHashes[start];
        }
        var k = Split(n);
        return HashChildren(Subtree(leafHashes, start, k), Subtree(leafHashes, start + k, n - k));
    }

    private static void Path(IReadOnlyList<byte[]> leafHashes, int start, int n, int m, List<byte[]> path)
    {
        if (n == 1)
        {
            return;
        }
        var k = Split(n);
        if (m < k)
        {
            Path(leafHashes, start, k, m, path);
            path.Add(Subtree(leafHashes, start + k, n - k));
        }
        else
        {
            Path(leafHashes, start + k, n - k, m - k, path);
            path.Add(Subtree(leafHashes, start, k));
        }
    }

    private static void SubProof(IReadOnlyList<byte[]> leafHashes, int start, int n, int m, bool whole, List<byte[]> path)
    {
        if (m == n)
        {
            if (!whole)
            {
                path.Add(Subtree(leafHashes, start, n));
            }
            return;
        }
        var k = Split(n);
        if (m <= k)
        {
            SubProof(leafHashes, start, k, m, whole, path);
            path.Add(Subtree(leafHashes, start + k, n - k));
        }
        else
        {
            SubProof(leafHashes, start + k, n - k, m - k, false, path);
            path.Add(Subtree(leafHashes, start, k));
        }
    }
}
