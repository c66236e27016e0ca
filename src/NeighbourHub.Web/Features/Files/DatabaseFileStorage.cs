using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using NeighbourHub.Web.Data;
using NeighbourHub.Web.Tenancy;

namespace NeighbourHub.Web.Features.Files;

/// <summary>
/// A slice of an upload's bytes when <c>Files:Store=Database</c>. Slices rather than one blob so a read holds at
/// most one slice in memory and a database connection only while fetching it, and no statement nears MariaDB's
/// packet limit. Deleting the <see cref="StoredFile"/> row deletes its chunks (cascade), in the same statement.
/// </summary>
public sealed class FileChunk
{
    public required string FileId { get; set; }

    /// <summary>0, 1, 2… in file order.</summary>
    public int Index { get; set; }

    public required byte[] Bytes { get; set; }
}

internal sealed class FileChunkConfiguration : IEntityTypeConfiguration<FileChunk>
{
    public void Configure(EntityTypeBuilder<FileChunk> b)
    {
        b.ToTable("FileChunks");
        b.HasKey(x => new { x.FileId, x.Index });
        b.Property(x => x.FileId).HasMaxLength(32);
        b.HasOne<StoredFile>().WithMany().HasForeignKey(x => x.FileId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>
/// Uploads in the database, so every instance on it serves every file and a backup of the database is a backup
/// of the files. The chunks are inserted in the same transaction as the file's row: a reader never finds a row
/// without all its bytes, and a failed upload leaves nothing behind.
/// </summary>
public sealed class DatabaseFileStorage(IDbContextFactory<NeighbourHubDbContext> contexts, int chunkBytes) : IFileStorage
{
    public const int DefaultChunkBytes = 256 * 1024;

    public async Task SaveWithRowAsync(NeighbourHubDbContext db, StoredFile row, Stream content, CancellationToken ct)
    {
        db.StoredFiles.Add(row);
        await foreach (var chunk in ChunksAsync(row.Id, content, ct))
        {
            db.FileChunks.Add(chunk);
        }

        await db.SaveChangesAsync(ct);
    }

    /// <summary>Bytes for a row that already exists (the import from local disk): all chunks in one transaction.</summary>
    public async Task SaveAsync(string key, Stream content, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Scope = CurrentScope.For(AccessScope.System);
        await db.FileChunks.Where(c => c.FileId == key).ExecuteDeleteAsync(ct);
        await foreach (var chunk in ChunksAsync(key, content, ct))
        {
            db.FileChunks.Add(chunk);
        }

        await db.SaveChangesAsync(ct);
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var lengths = await db.FileChunks.Where(c => c.FileId == key).OrderBy(c => c.Index)
            .Select(c => c.Bytes.Length).ToListAsync(ct);
        return lengths.Count == 0 ? null : new ChunkedReadStream(contexts, key, lengths);
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        // Normally already gone with the row (cascade); this covers bytes whose row never existed.
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.FileChunks.Where(c => c.FileId == key).ExecuteDeleteAsync(ct);
    }

    /// <summary>Whether any chunk of <paramref name="key"/> is stored (the import skips those).</summary>
    public async Task<bool> HasAsync(string key, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.FileChunks.AnyAsync(c => c.FileId == key, ct);
    }

    private async IAsyncEnumerable<FileChunk> ChunksAsync(string key, Stream content, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var index = 0;
        while (true)
        {
            var buffer = new byte[chunkBytes];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await content.ReadAsync(buffer.AsMemory(filled), ct)) > 0)
            {
                filled += read;
            }

            if (filled == 0 && index > 0)
            {
                yield break;
            }

            yield return new FileChunk { FileId = key, Index = index++, Bytes = filled == buffer.Length ? buffer : buffer[..filled] };
            if (filled < buffer.Length)
            {
                yield break;
            }
        }
    }
}

/// <summary>
/// Reads an upload chunk by chunk, each with a short query of its own: a slow download holds one chunk in memory
/// and no database connection between chunks. Seekable, since every chunk's length is known up front.
/// </summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly IDbContextFactory<NeighbourHubDbContext> _contexts;
    private readonly string _key;
    private readonly long[] _starts;
    private readonly long _length;
    private byte[]? _chunk;
    private int _chunkIndex = -1;
    private long _position;

    public ChunkedReadStream(IDbContextFactory<NeighbourHubDbContext> contexts, string key, IReadOnlyList<int> lengths)
    {
        _contexts = contexts;
        _key = key;
        _starts = new long[lengths.Count];
        long offset = 0;
        for (var i = 0; i < lengths.Count; i++)
        {
            _starts[i] = offset;
            offset += lengths[i];
        }

        _length = offset;
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= _length || buffer.Length == 0)
        {
            return 0;
        }

        var index = Array.BinarySearch(_starts, _position);
        index = index >= 0 ? index : ~index - 1;
        if (index != _chunkIndex)
        {
            await using var db = await _contexts.CreateDbContextAsync(cancellationToken);
            _chunk = await db.FileChunks.Where(c => c.FileId == _key && c.Index == index).Select(c => c.Bytes).SingleOrDefaultAsync(cancellationToken)
                ?? throw new IOException($"Chunk {index} of file {_key} is gone (deleted while being read).");
            _chunkIndex = index;
        }

        var within = (int)(_position - _starts[index]);
        var n = Math.Min(buffer.Length, _chunk!.Length - within);
        _chunk.AsSpan(within, n).CopyTo(buffer.Span);
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // Kestrel and the file result read asynchronously; the synchronous path exists for completeness only.
    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => _length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
