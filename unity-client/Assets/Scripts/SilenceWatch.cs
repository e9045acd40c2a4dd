namespace Kobot
{
    /// <summary>
    /// Tells when a room's connection has been silent too long while open: the server sends its clock at least once a
    /// second, so silence means a network that forgot the socket without a close either way (a NAT, a Wi-Fi), which
    /// leaves it "open" for minutes, or a server too stalled to serve anyway. As the browser client's
    /// web-client/src/silence-watch.ts; KobotNetwork looks once a second and drops the connection.
    /// </summary>
    public class SilenceWatch
    {
        private readonly float silentSeconds;
        private float heardAt;

        public SilenceWatch(float silentSeconds, float now)
        {
            this.silentSeconds = silentSeconds;
            heardAt = now;
        }

        /// <summary>Something came from the server at <paramref name="now"/> (seconds of real time).</summary>
        public void Heard(float now)
        {
            heardAt = now;
        }

        /// <summary>
        /// Whether nothing has come for the silence allowed, looked at <paramref name="now"/>; once said, the silence
        /// counts again from then. Not open, the SDK is resuming it: the silence counts from the new socket.
        /// </summary>
        public bool TooLong(bool open, float now)
        {
            if (open && now - heardAt < silentSeconds) return false;
            heardAt = now;
            return open;
        }
    }
}
