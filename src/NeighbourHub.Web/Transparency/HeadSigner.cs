using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace NeighbourHub.Web.Transparency;

public sealed class HeadSigningOptions
{
    /// <summary>The keys live with the owners' fund, the first log; later logs sign with the same key.</summary>
    public const string SectionName = "Fund";

    /// <summary>
    /// PEM file with the ECDSA P-256 private key every instance signs heads with. Empty: data/fund-signing-key.pem
    /// under the content root, created on first start (the embedded default; several instances on one machine share it).
    /// </summary>
    public string SigningKeyPath { get; set; } = "";

    /// <summary>PEM files (public or private) of keys signed with before a rotation: still listed, so old heads still verify.</summary>
    public List<string> RetiredKeyPaths { get; set; } = [];
}

/// <summary>A public key as published: its id is the first 16 hex digits of SHA-256 over its SubjectPublicKeyInfo.</summary>
public sealed record PublishedKey(string KeyId, string Algorithm, string PublicKeyPem, bool Current);

/// <summary>
/// Signs tree heads with the current key and lists every key a head may have been signed with. The text signed
/// is "neighbourhub-{kind}-head\n{subjectId}\n{treeSize}\n{rootHash}\n{timestamp}" (API.md).
/// </summary>
public sealed class HeadSigner : IDisposable
{
    private readonly ECDsa _current;
    private readonly Dictionary<string, ECDsa> _verifiers = [];

    public HeadSigner(IOptions<HeadSigningOptions> options, IHostEnvironment environment, ILogger<HeadSigner> log)
    {
        var path = options.Value.SigningKeyPath;
        if (string.IsNullOrWhiteSpace(path))
        {
            path = Path.Combine(environment.ContentRootPath, "data", "fund-signing-key.pem");
            if (!environment.IsDevelopment())
            {
                log.LogWarning("Fund:SigningKeyPath is not set; signing fund heads with {Path}. Give every instance the same key file in production.", path);
            }
        }

        _current = LoadOrCreate(path);
        KeyId = KeyIdOf(_current);
        Keys = [new PublishedKey(KeyId, "ES256", _current.ExportSubjectPublicKeyInfoPem(), true)];
        _verifiers[KeyId] = _current;
        foreach (var retired in options.Value.RetiredKeyPaths.Where(p => !string.IsNullOrWhiteSpace(p)))
        {
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(retired));
            var id = KeyIdOf(key);
            if (_verifiers.TryAdd(id, key))
            {
                Keys.Add(new PublishedKey(id, "ES256", key.ExportSubjectPublicKeyInfoPem(), false));
            }
        }
    }

    public string KeyId { get; }

    public List<PublishedKey> Keys { get; }

    public static string SignedText(string kind, long subjectId, long treeSize, string rootHash, string timestamp) =>
        $"neighbourhub-{kind}-head\n{subjectId}\n{treeSize}\n{rootHash}\n{timestamp}";

    public string Sign(string text) =>
        Convert.ToBase64String(_current.SignData(Encoding.UTF8.GetBytes(text), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    /// <summary>Whether the signature is valid under the listed key it names; an unknown key is not valid.</summary>
    public bool Verify(string keyId, string text, string signature)
    {
        if (!_verifiers.TryGetValue(keyId, out var key))
        {
            return false;
        }

        try
        {
            return key.VerifyData(Encoding.UTF8.GetBytes(text), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public static string KeyIdOf(ECDsa key) => Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];

    private static ECDsa LoadOrCreate(string path)
    {
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        key.Dispose();
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        // Written beside the target and moved into place: the key file appears whole or not at all. Of instances
        // starting together on one machine, one move wins and the others read the winner's key.
        var draft = $"{path}.{Guid.NewGuid():N}.tmp";
        var owner = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            owner.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // never readable by others, not even for a moment
        }

        using (var writer = new StreamWriter(draft, owner))
        {
            writer.Write(key.ExportPkcs8PrivateKeyPem());
        }

        try
        {
            File.Move(draft, path, overwrite: false);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
    }

    public void Dispose()
    {
        foreach (var key in _verifiers.Values)
        {
            key.Dispose();
        }
    }
}
