using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace NeighbourHub.WeChat.Pay;

/// <summary>
/// The WeChat Pay v3 signing and encryption rules, in one place so the client, the callback endpoint,
/// the sandbox and the tests' fake all use (and test) the very same code.
/// </summary>
public static class WeChatPayCrypto
{
    public const string AuthorizationScheme = "WECHATPAY2-SHA256-RSA2048";
    /// <summary>WeChat sends probe callbacks whose signature starts with this; they must fail verification.</summary>
    public const string ProbeSignaturePrefix = "WECHATPAY/SIGNTEST/";
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    /// <summary><c>METHOD\nPATH?QUERY\ntimestamp\nnonce\nbody\n</c>; the body is the exact bytes sent (empty for GET).</summary>
    public static string RequestMessage(string method, string pathAndQuery, string timestamp, string nonce, string body) =>
        $"{method}\n{pathAndQuery}\n{timestamp}\n{nonce}\n{body}\n";

    /// <summary>Responses and callbacks: <c>timestamp\nnonce\nbody\n</c>.</summary>
    public static string ResponseMessage(string timestamp, string nonce, string body) => $"{timestamp}\n{nonce}\n{body}\n";

    /// <summary>RSA-SHA256 (PKCS#1 v1.5), Base64.</summary>
    public static string Sign(RSA privateKey, string message) =>
        Convert.ToBase64String(privateKey.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool Verify(RSA publicKey, string message, string signature)
    {
        if (string.IsNullOrEmpty(signature) || signature.StartsWith(ProbeSignaturePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        Span<byte> bytes = new byte[signature.Length];
        return Convert.TryFromBase64String(signature, bytes, out var written)
               && publicKey.VerifyData(Encoding.UTF8.GetBytes(message), bytes[..written], HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    public static string AuthorizationHeader(string mchId, string nonce, string signature, string timestamp, string serialNo) =>
        $"{AuthorizationScheme} mchid=\"{mchId}\",nonce_str=\"{nonce}\",signature=\"{signature}\",timestamp=\"{timestamp}\",serial_no=\"{serialNo}\"";

    /// <summary>Parses an Authorization header back into its fields (the fake server and the tests read it).</summary>
    public static IReadOnlyDictionary<string, string> ParseAuthorization(string header)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!header.StartsWith(AuthorizationScheme + " ", StringComparison.Ordinal))
        {
            return result;
        }

        foreach (var part in header[(AuthorizationScheme.Length + 1)..].Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[part[..eq].Trim()] = part[(eq + 1)..].Trim().Trim('"');
            }
        }

        return result;
    }

    /// <summary><c>paySign</c> for <c>wx.requestPayment</c>: RSA-SHA256 over <c>appId\ntimeStamp\nnonceStr\npackage\n</c>.</summary>
    public static string PaySign(RSA merchantKey, string appId, string timeStamp, string nonceStr, string package) =>
        Sign(merchantKey, $"{appId}\n{timeStamp}\n{nonceStr}\n{package}\n");

    /// <summary>
    /// AEAD_AES_256_GCM as WeChat uses it: key = the 32-byte APIv3 key, nonce = the nonce string's bytes,
    /// AAD = associated_data's bytes, and the last 16 bytes of the Base64-decoded ciphertext are the tag.
    /// Throws <see cref="CryptographicException"/> when the tag does not match.
    /// </summary>
    public static string Decrypt(string apiV3Key, string nonce, string? associatedData, string ciphertextBase64)
    {
        var key = Encoding.UTF8.GetBytes(apiV3Key);
        if (key.Length != 32)
        {
            throw new CryptographicException("The APIv3 key must be 32 bytes.");
        }

        var data = Convert.FromBase64String(ciphertextBase64);
        if (data.Length < 16)
        {
            throw new CryptographicException("The ciphertext is shorter than its tag.");
        }

        var cipher = data.AsSpan(0, data.Length - 16);
        var tag = data.AsSpan(data.Length - 16);
        var plain = new byte[cipher.Length];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(Encoding.UTF8.GetBytes(nonce), cipher, tag, plain, Encoding.UTF8.GetBytes(associatedData ?? ""));
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The inverse of <see cref="Decrypt"/> (the sandbox and the tests' fake encrypt callbacks with it).</summary>
    public static string Encrypt(string apiV3Key, string nonce, string? associatedData, string plaintext)
    {
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[plain.Length + 16];
        using var aes = new AesGcm(Encoding.UTF8.GetBytes(apiV3Key), 16);
        aes.Encrypt(Encoding.UTF8.GetBytes(nonce), plain, output.AsSpan(0, plain.Length), output.AsSpan(plain.Length), Encoding.UTF8.GetBytes(associatedData ?? ""));
        return Convert.ToBase64String(output);
    }

    /// <summary>32 characters of [0-9A-Z], as WeChat's own nonces look.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 32);

    public static RSA LoadPem(string path)
    {
        var rsa = RSA.Create();
        var pem = File.ReadAllText(path);
        if (pem.Contains("CERTIFICATE", StringComparison.Ordinal))
        {
            using var cert = X509Certificate2.CreateFromPem(pem);
            rsa.ImportParameters(cert.GetRSAPublicKey()!.ExportParameters(false));
        }
        else
        {
            rsa.ImportFromPem(pem);
        }

        return rsa;
    }
}
