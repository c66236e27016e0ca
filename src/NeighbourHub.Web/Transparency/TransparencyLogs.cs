using System.Data;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using NeighbourHub.Web.Data;

namespace NeighbourHub.Web.Transparency;

/// <summary>
/// The transparency logs' one door: open a log, append under its lock, sign heads, and prove inclusion and
/// consistency from the stored subtree hashes (O(log n) rows per proof). The owning feature decides what a
/// leaf is and who may read the log; this class never sees the rows behind the leaves.
/// </summary>
public sealed class TransparencyLogs(HeadSigner signer, TimeProvider clock)
{
    public HeadSigner Signer => signer;

    /// <summary>The log of this thing, created (with its signed empty head) the first time it is asked for.</summary>
    public async Task<TransparencyLog> OpenAsync(NeighbourHubDbContext db, string kind, long subjectId, CancellationToken ct)
    {
        if (await db.TransparencyLogs.AsNoTracking().SingleOrDefaultAsync(l => l.Kind == kind && l.SubjectId == subjectId, ct) is { } existing)
        {
            return existing;
        }

        var log = new TransparencyLog { Kind = kind, SubjectId = subjectId };
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        db.TransparencyLogs.Add(log);
        TransparencyHead? empty = null;
        try
        {
            await db.SaveChangesAsync(ct);
            empty = SignHead(log, 0, MerkleTree.EmptyRoot);
            db.TransparencyHeads.Add(empty);
            await db.SaveChangesAsync(ct);
            if (tx is not null)
            {
                await tx.CommitAsync(ct);
            }
        }
        catch (DbUpdateException) when (tx is not null)
        {
            // Another request opened it at the same moment: use theirs.
            await tx.RollbackAsync(ct);
            Detach(db, log, empty);
            return await db.TransparencyLogs.AsNoTracking().SingleAsync(l => l.Kind == kind && l.SubjectId == subjectId, ct);
        }

        // Only these rows leave the change tracker: a caller's own pending changes stay.
        Detach(db, log, empty);
        return log;
    }

    private static void Detach(NeighbourHubDbContext db, TransparencyLog log, TransparencyHead? head)
    {
        db.Entry(log).State = EntityState.Detached;
        if (head is not null)
        {
            db.Entry(head).State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Begins the transaction an append runs in: READ COMMITTED on MariaDB. Under InnoDB's default REPEATABLE READ the
    /// transaction's snapshot is taken at its first read, and callers read (the fund's account, an idempotency
    /// check) before they take the log's lock; the nodes the previous appender committed while this one waited for
    /// the lock were then invisible, and two racing appends ended in "the node table is incomplete" (a 500).
    /// Read committed reads what is committed when each statement runs, so after the lock it sees the previous
    /// append whole. SQLite's transactions are serialisable either way.
    /// </summary>
    public static Task<IDbContextTransaction> BeginAppendingAsync(NeighbourHubDbContext db, CancellationToken ct) =>
        db.Database.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);

    /// <summary>
    /// Takes the log's row lock for the caller's transaction (a conditional bump of its version: InnoDB row lock,
    /// SQLite's database write lock) and returns the size the next append starts from. Appends of one log from
    /// every instance queue here, so seq has no gaps and every head extends the one before.
    /// </summary>
    public async Task<long> LockAsync(NeighbourHubDbContext db, long logId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is not { } tx)
        {
            throw new InvalidOperationException("Lock a transparency log inside the transaction that appends to it.");
        }

        if (db.Database.IsMySql() && tx.GetDbTransaction().IsolationLevel != IsolationLevel.ReadCommitted)
        {
            throw new InvalidOperationException("Append to a transparency log in a transaction begun by TransparencyLogs.BeginAppendingAsync (read committed).");
        }

        await db.TransparencyLogs.Where(l => l.Id == logId).ExecuteUpdateAsync(u => u.SetProperty(l => l.Version, l => l.Version + 1), ct);
        return await db.TransparencyLogs.Where(l => l.Id == logId).Select(l => l.Size).SingleAsync(ct);
    }

    /// <summary>
    /// Appends leaf hashes at <paramref name="size"/> (what <see cref="LockAsync"/> returned) and signs the new head.
    /// Adds the rows to the context; the caller saves them with its own rows and commits.
    /// </summary>
    public async Task<TransparencyHead> AppendAsync(NeighbourHubDbContext db, TransparencyLog log, long size, IReadOnlyList<byte[]> leafHashes, CancellationToken ct)
    {
        var fresh = new Dictionary<long, byte[]>();
        var leftSiblings = new HashSet<long>();
        for (var i = 0; i < leafHashes.Count; i++)
        {
            foreach (var (level, index) in MerkleTree.CompletedBy(size + i).Skip(1))
            {
                leftSiblings.Add(MerkleTree.NodeKey(level - 1, index * 2));
            }
        }

        var stored = await NodesAsync(db, log.Id, leftSiblings, ct);
        for (var i = 0; i < leafHashes.Count; i++)
        {
            var hash = leafHashes[i];
            foreach (var (level, index) in MerkleTree.CompletedBy(size + i))
            {
                if (level > 0)
                {
                    var leftKey = MerkleTree.NodeKey(level - 1, index * 2);
                    hash = MerkleTree.NodeHash(fresh.TryGetValue(leftKey, out var left) ? left : stored[leftKey], hash);
                }

                var key = MerkleTree.NodeKey(level, index);
                fresh[key] = hash;
                db.TransparencyNodes.Add(new TransparencyNode { LogId = log.Id, Key = key, Hash = hash });
            }
        }

        var newSize = size + leafHashes.Count;
        var root = await ComputeAsync(db, log.Id, node => MerkleTree.Root(newSize, node), fresh, ct);
        var head = SignHead(log, newSize, root);
        db.TransparencyHeads.Add(head);
        await db.TransparencyLogs.Where(l => l.Id == log.Id).ExecuteUpdateAsync(u => u.SetProperty(l => l.Size, newSize), ct);
        return head;
    }

    /// <summary>The latest head, or the one of an exact size; null for a size the log never had.</summary>
    public Task<TransparencyHead?> HeadAsync(NeighbourHubDbContext db, long logId, long? treeSize, CancellationToken ct) =>
        treeSize is { } size
            ? db.TransparencyHeads.AsNoTracking().SingleOrDefaultAsync(h => h.LogId == logId && h.TreeSize == size, ct)
            : db.TransparencyHeads.AsNoTracking().Where(h => h.LogId == logId).OrderByDescending(h => h.TreeSize).FirstOrDefaultAsync(ct);

    public Task<List<byte[]>> InclusionPathAsync(NeighbourHubDbContext db, long logId, long index, long treeSize, CancellationToken ct) =>
        ComputeAsync(db, logId, node => MerkleTree.InclusionPath(index, treeSize, node), null, ct);

    public Task<List<byte[]>> ConsistencyPathAsync(NeighbourHubDbContext db, long logId, long first, long second, CancellationToken ct) =>
        ComputeAsync(db, logId, node => MerkleTree.ConsistencyPath(first, second, node), null, ct);

    /// <summary>The stored leaf hashes in order, for a full verification.</summary>
    public async Task<List<byte[]>> LeafHashesAsync(NeighbourHubDbContext db, long logId, CancellationToken ct)
    {
        var nodes = await db.TransparencyNodes.AsNoTracking().Where(n => n.LogId == logId && n.Key % 64 == 0)
            .OrderBy(n => n.Key).Select(n => n.Hash).ToListAsync(ct);
        return nodes;
    }

    public bool VerifyHead(string kind, TransparencyHead head, long subjectId) =>
        signer.Verify(head.KeyId, HeadSigner.SignedText(kind, subjectId, head.TreeSize, head.RootHash, head.Timestamp), head.Signature);

    /// <summary>Root of a list of leaf hashes, computed from scratch (verification, tests).</summary>
    public static byte[] RootOf(IReadOnlyList<byte[]> leafHashes)
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

        return MerkleTree.Root(leafHashes.Count, key => nodes[key]);
    }

    private TransparencyHead SignHead(TransparencyLog log, long size, byte[] root)
    {
        var timestamp = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        var rootHex = Convert.ToHexStringLower(root);
        return new TransparencyHead
        {
            LogId = log.Id,
            TreeSize = size,
            RootHash = rootHex,
            Timestamp = timestamp,
            KeyId = signer.KeyId,
            Signature = signer.Sign(HeadSigner.SignedText(log.Kind, log.SubjectId, size, rootHex, timestamp)),
        };
    }

    /// <summary>Runs a tree computation twice: once to learn which stored nodes it reads, then with them loaded in one query.</summary>
    private static async Task<T> ComputeAsync<T>(NeighbourHubDbContext db, long logId, Func<Func<long, byte[]>, T> compute, Dictionary<long, byte[]>? fresh, CancellationToken ct)
    {
        var needed = MerkleTree.NeededNodes(node => compute(node));
        if (fresh is not null)
        {
            needed.ExceptWith(fresh.Keys);
        }

        var stored = await NodesAsync(db, logId, needed, ct);
        return compute(key => fresh is not null && fresh.TryGetValue(key, out var f) ? f
            : stored.TryGetValue(key, out var s) ? s
            : throw new InvalidOperationException($"Transparency log {logId} lacks node {key}: the node table is incomplete."));
    }

    private static async Task<Dictionary<long, byte[]>> NodesAsync(NeighbourHubDbContext db, long logId, IReadOnlyCollection<long> keys, CancellationToken ct)
    {
        if (keys.Count == 0)
        {
            return [];
        }

        var list = keys.ToList();
        return await db.TransparencyNodes.AsNoTracking().Where(n => n.LogId == logId && list.Contains(n.Key)).ToDictionaryAsync(n => n.Key, n => n.Hash, ct);
    }
}
