using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace NeighbourHub.WeChat;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the HTTP client for the configured app, or the sandbox when no AppId is set.
    /// The caller binds <see cref="WeChatOptions"/> and may register its own <see cref="IAccessTokenStore"/>
    /// (Redis) before calling this; otherwise an in-process store is used.
    /// </summary>
    public static IServiceCollection AddWeChatMiniProgram(this IServiceCollection services, WeChatOptions configured)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (configured.UsesSandbox)
        {
            services.AddSingleton<SandboxWeChatMiniProgram>();
            services.AddSingleton<IWeChatMiniProgram>(sp => sp.GetRequiredService<SandboxWeChatMiniProgram>());
            return services;
        }

        services.TryAddSingleton<IAccessTokenStore, InProcessAccessTokenStore>();
        services.AddSingleton<AccessTokenProvider>();
        services.AddHttpClient<StableTokenClient>(Configure).AddStandardResilienceHandler(Resilience);
        services.AddHttpClient<IWeChatMiniProgram, WeChatMiniProgramClient>(Configure).AddStandardResilienceHandler(Resilience);
        return services;

        static void Configure(IServiceProvider sp, HttpClient http)
        {
            var o = sp.GetRequiredService<IOptions<WeChatOptions>>().Value;
            http.BaseAddress = new Uri(o.BaseUrl.TrimEnd('/') + "/");
        }

        void Resilience(HttpStandardResilienceOptions r)
        {
            r.AttemptTimeout.Timeout = TimeSpan.FromSeconds(configured.TimeoutSeconds);
            r.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(configured.TimeoutSeconds * 2, 30));
            r.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(configured.TimeoutSeconds * 3);
        }
    }
}
