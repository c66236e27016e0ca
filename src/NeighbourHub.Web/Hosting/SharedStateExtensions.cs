using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace NeighbourHub.Web.Hosting;

/// <summary>
/// State that several instances must share: the distributed cache, data-protection keys (cookies and
/// antiforgery tokens must decrypt on every instance) and the WeChat access token. Redis when
/// <c>ConnectionStrings:Redis</c> is set; in-process equivalents otherwise (one instance only).
/// </summary>
public static class SharedStateExtensions
{
    public static bool UsesRedis(this IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));

    public static WebApplicationBuilder AddSharedState(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var redis = builder.Configuration.GetConnectionString("Redis");
        var prefix = builder.Configuration["Redis:KeyPrefix"] ?? "nh:";
        var dataProtection = services.AddDataProtection().SetApplicationName("NeighbourHub");
        builder.ProtectKeysAtRest(dataProtection, usesRedis: !string.IsNullOrWhiteSpace(redis));

        if (string.IsNullOrWhiteSpace(redis))
        {
            services.AddDistributedMemoryCache();
            var keys = Path.Combine(builder.Environment.ContentRootPath, "data", "keys");
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
            return builder;
        }

        var options = ConfigurationOptions.Parse(redis);
        options.AbortOnConnectFail = false;
        var multiplexer = ConnectionMultiplexer.Connect(options);
        services.AddSingleton<IConnectionMultiplexer>(multiplexer);
        services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(multiplexer);
            o.InstanceName = prefix + "cache:";
        });
        dataProtection.PersistKeysToStackExchangeRedis(multiplexer, prefix + "dataprotection-keys");
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Encrypts the data-protection key ring with a certificate from configuration (<c>DataProtection:CertificatePath</c>
    /// and <c>CertificatePassword</c>, a PFX). Anyone who reads those keys can forge the console's sign-in cookie, and
    /// in Redis they sit on another server, in its dumps and its backups: so Production with Redis refuses to start
    /// without a certificate (unless <c>DataProtection:AllowUnencryptedKeys=true</c>, a deliberate choice for a demo).
    /// Certificates listed under <c>DataProtection:PreviousCertificates</c> still decrypt keys written before a rotation.
    /// </summary>
    private static void ProtectKeysAtRest(this WebApplicationBuilder builder, IDataProtectionBuilder dataProtection, bool usesRedis)
    {
        var section = builder.Configuration.GetSection("DataProtection");
        var path = section["CertificatePath"];
        if (string.IsNullOrWhiteSpace(path))
        {
            if (usesRedis && builder.Environment.IsProduction() && !section.GetValue<bool>("AllowUnencryptedKeys"))
            {
                throw new InvalidOperationException(
                    "DataProtection:CertificatePath is empty in Production with Redis: the keys that sign the console's cookies would be stored "
                    + "unencrypted in Redis. Configure DataProtection:CertificatePath and DataProtection:CertificatePassword (a PFX; see deploy/README.md), "
                    + "or set DataProtection:AllowUnencryptedKeys=true deliberately.");
            }

            return;
        }

        var current = LoadCertificate(builder.Environment.ContentRootPath, path, section["CertificatePassword"], "DataProtection:CertificatePath");
        // Encrypts new keys and (registered for decryption too) reads them back without any certificate store.
        dataProtection.ProtectKeysWithCertificate(current);
        var previous = section.GetSection("PreviousCertificates").GetChildren()
            .Where(c => !string.IsNullOrWhiteSpace(c["Path"]))
            .Select(c => LoadCertificate(builder.Environment.ContentRootPath, c["Path"]!, c["Password"], $"DataProtection:PreviousCertificates:{c.Key}:Path"))
            .ToArray();
        if (previous.Length > 0)
        {
            dataProtection.UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
    }

    private static X509Certificate2 LoadCertificate(string contentRoot, string path, string? password, string key)
    {
        var full = Path.IsPathRooted(path) ? path : Path.Combine(contentRoot, path);
        if (!File.Exists(full))
        {
            throw new InvalidOperationException($"{key} points at {full}, which does not exist.");
        }

        var certificate = X509CertificateLoader.LoadPkcs12FromFile(full, password, X509KeyStorageFlags.EphemeralKeySet);
        return certificate.HasPrivateKey
            ? certificate
            : throw new InvalidOperationException($"{key} ({full}) has no private key: the keys could be encrypted but never read back.");
    }
}
