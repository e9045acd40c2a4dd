namespace Kobot
{
    /// <summary>
    /// Tells when a room's connection has been silent too long while open: the server sends its clock at least once a
    /// second, so silence means a network that forgot the socket without a close either way (a NAT, a Wi-Fi), which
    /// leaves it "open" for minutes, or a server too stalled to serve anyway. As the browser client's
    /// web-client/src/silence-watch.ts; KobotNetwork looks once a second and drops the connection. It tells too when
    /// one of the SDK's tries has been opening its socket too long (a network that takes the connection and passes
    /// nothing never closes it, and the SDK makes its next try only on a close).
    /// </summary>
    public class SilenceWatch
    {
        private readonly float silentSeconds;
        private readonly float openingSeconds;
        private float heardAt;
        private int openingTry = -1;
        private float openingSince;

        public SilenceWatch(float silentSeconds, float openingSeconds, float now)
        {
            this.silentSeconds = silentSeconds;
            this.openingSeconds = openingSeconds;
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

        /// <summary>
        /// Whether the SDK's try <paramref name="retry"/> (its RetryCount) has been opening its socket for the time
        /// allowed, looked at <paramref name="now"/>; once said, it counts again from then. A socket closed between
        /// tries is the SDK's to open again, and its next try counts from its own first look.
        /// </summary>
        public bool OpeningTooLong(bool opening, int retry, float now)
        {
            if (!opening) openingTry = -1;
            else if (retry != openingTry)
            {
                openingTry = retry;
                openingSince = now;
            }
            else if (now - openingSince >= openingSeconds)
            {
                openingSince = now;
                return true;
            }
            return false;
        }
    }
}
