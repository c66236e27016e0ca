using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NeighbourHub.TestSupport;
using NeighbourHub.Web.Features.Files;
using NeighbourHub.Web.Tenancy;
using StackExchange.Redis;

namespace NeighbourHub.IntegrationTests.SharedState;

/// <summary>A self-signed PFX for encrypting the data-protection keys, written to a temporary file.</summary>
internal static class TestCertificates
{
    public static (string Path, string Password) Pfx(string name)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var password = "pw-" + Guid.NewGuid().ToString("N");
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"nh-dp-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return (path, password);
    }
}

/// <summary>Two instances on one MariaDB and one Redis, uploads in the database, key ring encrypted with a certificate.</summary>
public sealed class TwoInstancesFixture : IAsyncLifetime
{
    public const string Database = "nh_shared_state";

    public string KeyPrefix { get; } = $"nh-shared-{Guid.NewGuid():N}:";
    public NeighbourHubAppFactory A { get; private set; } = null!;
    public NeighbourHubAppFactory B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var (pfx, password) = TestCertificates.Pfx("NeighbourHub data protection (test)");
        Dictionary<string, string?> Settings(string name) => new()
        {
            ["Redis:KeyPrefix"] = KeyPrefix,
            ["Files:Store"] = "Database",
            // Small chunks, so a test image spans several and the reader has to walk them.
            ["Files:ChunkBytes"] = "4096",
            ["DataProtection:CertificatePath"] = pfx,
            ["DataProtection:CertificatePassword"] = password,
            ["Instance:Name"] = name,
        };
        A = await NeighbourHubAppFactory.OnMariaDbAsync(Database, wechat: null, Settings("A"));
        B = new NeighbourHubAppFactory(A.Provider, A.ConnectionString, wechat: null, useRedis: true, Settings("B"));
        _ = A.Server;
        _ = B.Server;
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

/// <summary>Files, cookies and keys work the same whichever instance a request reaches.</summary>
public sealed class SharedStateTests(TwoInstancesFixture two) : IClassFixture<TwoInstancesFixture>, IAsyncLifetime
{
    private TestOrg _org = null!;

    public async Task InitializeAsync()
    {
        await two.A.ResetAsync();
        _org = await TestOrg.SeedAsync(two.A);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A valid PNG made larger than several chunks (bytes after IEND are ignored by readers).</summary>
    private static byte[] BigPng()
    {
        var tail = new byte[20_000];
        new Random(16).NextBytes(tail);
        return [.. TestImages.Png, .. tail];
    }

    [Fact]
    public async Task A_photo_uploaded_through_instance_A_is_served_by_instance_B_chunk_by_chunk_with_its_etag()
    {
        var residents = await two.A.CreateResidentsAsync("shared-file", 1);
        var token = residents[0].Token;
        var png = BigPng();

        var upload = await two.A.ClientWithToken(token).PostAsync("/api/v1/files", Repairs().Form(png));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await using (var db = two.A.SystemDb())
        {
            var chunks = await db.FileChunks.Where(c => c.FileId == id).OrderBy(c => c.Index).Select(c => c.Bytes.Length).ToListAsync();
            Assert.Equal((png.Length + 4095) / 4096, chunks.Count);
            Assert.All(chunks.SkipLast(1), n => Assert.Equal(4096, n));
        }

        // Nothing went to either instance's disk.
        foreach (var app in new[] { two.A, two.B })
        {
            var dir = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FileStorageOptions>>().Value.Directory;
            Assert.False(Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any());
        }

        var onB = two.B.ClientWithToken(token);
        var read = await onB.GetAsync($"/api/v1/files/{id}");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(png, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", read.Content.Headers.ContentType!.MediaType);
        Assert.Equal(png.Length, read.Content.Headers.ContentLength);
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(png))}\"", read.Headers.ETag!.Tag);
        Assert.True(read.Headers.CacheControl is { Private: true } cc && cc.MaxAge == TimeSpan.FromDays(1) && cc.Extensions.Any(e => e.Name == "immutable"));

        var again = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/files/{id}");
        again.Headers.IfNoneMatch.Add(read.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await onB.SendAsync(again)).StatusCode);

        // Another resident still cannot read it on either instance.
        var stranger = (await two.B.CreateResidentsAsync("shared-stranger", 1))[0].Token;
        Assert.Equal(HttpStatusCode.NotFound, (await two.B.ClientWithToken(stranger).GetAsync($"/api/v1/files/{id}")).StatusCode);
    }

    [Fact]
    public async Task The_stream_reads_and_seeks_across_chunk_boundaries()
    {
        var residents = await two.A.CreateResidentsAsync("shared-seek", 1);
        var png = BigPng();
        var upload = await two.A.ClientWithToken(residents[0].Token).PostAsync("/api/v1/files", Repairs().Form(png));
        var id = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        await using var stream = (await two.B.Services.GetRequiredService<IFileStorage>().OpenReadAsync(id, default))!;
        Assert.True(stream.CanSeek);
        Assert.Equal(png.Length, stream.Length);
        stream.Seek(4090, SeekOrigin.Begin);
        var buffer = new byte[12];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal(png[4090..4102], buffer);
        stream.Seek(-5, SeekOrigin.End);
        var last = new byte[10];
        Assert.Equal(5, await stream.ReadAtLeastAsync(last, 10, throwOnEndOfStream: false));
        Assert.Equal(png[^5..], last[..5]);
    }

    [Fact]
    public async Task A_failed_upload_leaves_no_chunks()
    {
        var residents = await two.A.CreateResidentsAsync("shared-fail", 1);
        var client = two.A.ClientWithToken(residents[0].Token);
        var id = (await (await client.PostAsync("/api/v1/files", Repairs().Form(BigPng()))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        int chunks;
        await using (var db = two.A.SystemDb())
        {
            chunks = await db.FileChunks.CountAsync();
        }

        // The row's insert fails (its id is taken) after the chunks were added to the same unit of work: nothing stays.
        var storage = (DatabaseFileStorage)two.A.Services.GetRequiredService<IFileStorage>();
        await using (var db = two.A.SystemDb())
        {
            var row = new StoredFile { Id = id, ContentType = "image/png", Sha256 = new string('0', 64), SizeBytes = 30_000, CreatedAt = DateTimeOffset.UtcNow };
            await Assert.ThrowsAnyAsync<DbUpdateException>(() => storage.SaveWithRowAsync(db, row, new MemoryStream(new byte[30_000]), default));
        }

        // Refused by the API after reading the body (not an image; and a header too large): no chunks either.
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/api/v1/files", Repairs().Form(new byte[9000]))).StatusCode);

        await using (var db = two.A.SystemDb())
        {
            Assert.Equal(chunks, await db.FileChunks.CountAsync());
            Assert.Equal(1, await db.StoredFiles.CountAsync());
            // And deleting the row (the cleanup job's conditional delete) takes its chunks with it.
            Assert.True(await FileService.DeleteIfUnattachedAsync(db, storage, id, default));
            Assert.Equal(0, await db.FileChunks.CountAsync());
        }
    }

    [Fact]
    public void A_console_cookie_issued_by_instance_A_is_accepted_by_instance_B()
    {
        // The console's cookie as A's cookie handler writes it (the sign-in form needs an antiforgery token from a
        // rendered page, which the browser tests cover); B's handler must read it back.
        var scheme = NeighbourHub.Web.Features.Identity.AuthSchemes.AdminCookie;
        CookieAuthenticationOptions Cookie(NeighbourHubAppFactory app) =>
            app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(scheme);
        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "42")], scheme)), scheme);
        var value = Cookie(two.A).TicketDataFormat.Protect(ticket);
        Assert.Equal("42", Cookie(two.B).TicketDataFormat.Unprotect(value)!.Principal.FindFirst("sub")!.Value);
        Assert.Null(Cookie(two.B).TicketDataFormat.Unprotect(value[..^4] + "AAAA"));

        // And directly: what A protects, B unprotects.
        var secret = two.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("一次");
        Assert.Equal("一次", two.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(secret));
    }

    [Fact]
    public async Task The_key_ring_in_Redis_is_encrypted_with_the_certificate()
    {
        // Make sure a key exists (the first protect creates it).
        _ = two.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
        var redis = two.A.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var keys = (await redis.ListRangeAsync(two.KeyPrefix + "dataprotection-keys")).Select(v => v.ToString()).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.Contains("<encryptedSecret", xml, StringComparison.Ordinal);
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });
    }

    private static FormHelper Repairs() => new();

    private sealed class FormHelper
    {
        public MultipartFormDataContent Form(byte[] bytes)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            return new MultipartFormDataContent { { file, "file", "photo.png" } };
        }
    }
}
